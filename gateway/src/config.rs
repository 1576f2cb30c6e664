//! The gateway's configuration file (TOML). `gateway/example.toml` documents every field.

use crate::Error;
use iotchain_client::{
	data::parse_device_id,
	keys::{Key, KeyFile, Scheme},
};
use iotchain_primitives::{DeviceId, StreamId};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
	/// The MQTT broker the sensors publish to.
	pub broker: Broker,
	/// The iotchain node the gateway anchors through.
	pub chain: Chain,
	/// The gateway's key file (as `iotctl key generate` writes it): its account holds WRITE on
	/// every routed device and pays the batches' fees. Or, on a dev chain, `suri` instead.
	pub key_file: Option<PathBuf>,
	/// The gateway's account as an sr25519 secret URI (`//Bob`): for dev chains.
	pub suri: Option<String>,
	/// The gateway's database: readings, their seqs and batches (created if missing).
	pub store: PathBuf,
	/// When a stream's readings are anchored.
	#[serde(default)]
	pub batch: BatchPolicy,
	/// Which topics go to which device's stream; the first match wins.
	#[serde(default)]
	pub routes: Vec<RouteConfig>,
	/// The HTTP API (proofs, raw readings for `Read` holders, metrics); off without it.
	pub http: Option<Http>,
}

/// The HTTP API.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Http {
	/// The address it listens on, e.g. `127.0.0.1:8090`.
	pub listen: std::net::SocketAddr,
}

/// The MQTT broker.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Broker {
	pub host: String,
	#[serde(default = "default_port")]
	pub port: u16,
	/// The client id: the broker keeps the gateway's session (and its unacknowledged readings)
	/// under it while the gateway is away.
	#[serde(default = "default_client_id")]
	pub client_id: String,
	pub username: Option<String>,
	pub password: Option<String>,
}

/// The iotchain node.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chain {
	/// Its WebSocket URL, e.g. `ws://127.0.0.1:9944`.
	pub url: String,
}

/// A stream's readings are anchored once `size` are pending, or when the oldest has waited
/// `max_delay_ms`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchPolicy {
	pub size: u32,
	pub max_delay_ms: u64,
}

impl Default for BatchPolicy {
	fn default() -> Self {
		Self { size: 256, max_delay_ms: 2_000 }
	}
}

/// A route as written: an MQTT topic filter (`+` and `#` wildcards) and where its readings go.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
	pub topic: String,
	/// The device id (0x-hex).
	pub device: String,
	pub stream: StreamId,
}

/// A checked route.
#[derive(Clone, Debug)]
pub struct Route {
	pub topic: String,
	pub device: DeviceId,
	pub stream: StreamId,
}

fn default_port() -> u16 {
	1883
}

fn default_client_id() -> String {
	"iotchain-gateway".into()
}

impl Config {
	/// Reads and checks the file at `path`; relative paths in it are relative to its directory.
	pub fn read(path: &Path) -> Result<Self, Error> {
		let text = std::fs::read_to_string(path)
			.map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
		let mut config: Config =
			toml::from_str(&text).map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
		let base = path.parent().unwrap_or(Path::new("."));
		config.key_file = config.key_file.map(|k| base.join(k));
		config.store = base.join(&config.store);
		if config.key_file.is_some() == config.suri.is_some() {
			return Err(Error::Config(
				"give the gateway's key: key_file or suri (one of them)".into(),
			));
		}
		config.routes()?;
		if config.batch.size == 0 {
			return Err(Error::Config("batch.size must be at least 1".into()));
		}
		Ok(config)
	}

	/// The gateway's key.
	pub fn key(&self) -> Result<Key, Error> {
		match (&self.key_file, &self.suri) {
			(Some(path), _) => Ok(KeyFile::read(path)?.1),
			(None, Some(suri)) => Ok(Key::from_suri(Scheme::Sr25519, suri)?),
			(None, None) => Err(Error::Config("no key_file nor suri".into())),
		}
	}

	/// The routes, checked: valid filters and device ids, at least one.
	pub fn routes(&self) -> Result<Vec<Route>, Error> {
		if self.routes.is_empty() {
			return Err(Error::Config("no routes: nothing to subscribe to".into()));
		}
		self.routes
			.iter()
			.map(|r| {
				if !rumqttc::valid_filter(&r.topic) {
					return Err(Error::Config(format!(
						"{:?} is not an MQTT topic filter",
						r.topic
					)));
				}
				let device = parse_device_id(&r.device)
					.map_err(|e| Error::Config(format!("route {:?}: {e}", r.topic)))?;
				Ok(Route { topic: r.topic.clone(), device, stream: r.stream })
			})
			.collect()
	}
}

/// The route of `topic`: the first whose filter matches.
pub fn route_of<'a>(routes: &'a [Route], topic: &str) -> Option<&'a Route> {
	routes.iter().find(|r| rumqttc::matches(topic, &r.topic))
}

#[cfg(test)]
mod tests {
	use super::*;

	fn write(dir: &Path, text: &str) -> PathBuf {
		let path = dir.join("gateway.toml");
		std::fs::write(&path, text).unwrap();
		path
	}

	const DEVICE: &str = "0x1111111111111111111111111111111111111111111111111111111111111111";

	#[test]
	fn a_config_is_read_and_routes_match_wildcards() {
		let dir = std::env::temp_dir().join(format!("gw-config-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let path = write(
			&dir,
			&format!(
				r#"
				key_file = "gateway.key"
				store = "gateway.redb"
				[broker]
				host = "127.0.0.1"
				[chain]
				url = "ws://127.0.0.1:9944"
				[[routes]]
				topic = "plant/+/temperature"
				device = "{DEVICE}"
				stream = 1
				[[routes]]
				topic = "plant/#"
				device = "{DEVICE}"
				stream = 2
				"#
			),
		);
		let config = Config::read(&path).unwrap();
		assert_eq!(config.broker.port, 1883);
		assert_eq!(config.batch.size, 256);
		assert_eq!(config.store, dir.join("gateway.redb"));
		assert_eq!(config.key_file, Some(dir.join("gateway.key")));
		let routes = config.routes().unwrap();
		assert_eq!(route_of(&routes, "plant/a/temperature").unwrap().stream, 1);
		assert_eq!(route_of(&routes, "plant/a/humidity").unwrap().stream, 2);
		assert!(route_of(&routes, "office/a").is_none());
	}

	#[test]
	fn the_example_config_is_valid() {
		let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("example.toml");
		let config = Config::read(&path).unwrap();
		assert_eq!(config.routes().unwrap().len(), 2);
		assert_eq!(config.batch.size, 256);
	}

	#[test]
	fn bad_configs_are_named() {
		let dir = std::env::temp_dir().join(format!("gw-config-bad-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let base = r#"
			key_file = "k"
			store = "s"
			[broker]
			host = "h"
			[chain]
			url = "ws://x"
		"#;
		let error = |extra: &str| {
			Config::read(&write(&dir, &format!("{base}{extra}"))).unwrap_err().to_string()
		};
		assert!(error("").contains("no routes"));
		assert!(error(&format!(
			"[[routes]]\ntopic = \"a/#/b\"\ndevice = \"{DEVICE}\"\nstream = 1\n"
		))
		.contains("is not an MQTT topic filter"));
		assert!(error("[[routes]]\ntopic = \"a\"\ndevice = \"0x12\"\nstream = 1\n")
			.contains("route \"a\""));
		assert!(error("colour = 1\n").contains("unknown field"));
		let both = format!("suri = \"//Bob\"\n{base}");
		assert!(Config::read(&write(&dir, &both)).unwrap_err().to_string().contains("one of them"));
	}
}
