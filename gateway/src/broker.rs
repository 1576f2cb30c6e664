//! `--embedded-broker`: an MQTT broker (`rumqttd`) in the gateway's process, listening where
//! the configuration's `[broker]` says, so that a dev chain and one gateway command are a whole
//! demo. Sensors publish to it as to any MQTT 3.1.1 broker; with `username` and `password` in
//! `[broker]`, it accepts those credentials only.
//!
//! Its sessions live in memory: what it holds is gone when the gateway stops, so a sensor must
//! keep publishing with QoS 1 until it gets its acknowledgement (which the gateway gives only
//! after storing the reading). A fleet runs a standalone broker (mosquitto) instead.

use crate::{config::Broker, Error};
use rumqttd::{ConnectionSettings, RouterConfig, ServerSettings};
use std::{
	collections::HashMap,
	net::{SocketAddr, TcpListener, ToSocketAddrs},
};
use tracing::{error, info};

/// The largest message it accepts, in bytes.
const MAX_PAYLOAD: usize = 256 * 1024;
/// Messages sent to a client and not yet acknowledged, at most.
const MAX_INFLIGHT: usize = 1024;

/// Starts the broker on its own threads. Fails, naming the address, when it cannot listen there.
pub fn start(settings: &Broker) -> Result<SocketAddr, Error> {
	let listen = (settings.host.as_str(), settings.port)
		.to_socket_addrs()
		.ok()
		.and_then(|mut addresses| addresses.next())
		.ok_or_else(|| {
			Error::Config(format!("broker.host {:?} is not an address to listen on", settings.host))
		})?;
	// rumqttd logs a failure to bind and goes on without the listener: try it here first.
	drop(TcpListener::bind(listen).map_err(|e| {
		Error::Config(format!("the embedded broker cannot listen on {listen}: {e}"))
	})?);
	let auth = match (&settings.username, &settings.password) {
		(Some(user), Some(password)) => Some(HashMap::from([(user.clone(), password.clone())])),
		_ => None,
	};
	let server = ServerSettings {
		name: "mqtt".into(),
		listen,
		tls: None,
		next_connection_delay_ms: 1,
		connections: ConnectionSettings {
			connection_timeout_ms: 60_000,
			max_payload_size: MAX_PAYLOAD,
			max_inflight_count: MAX_INFLIGHT,
			auth,
			external_auth: None,
			dynamic_filters: true,
		},
	};
	let config = rumqttd::Config {
		id: 0,
		router: RouterConfig {
			max_connections: 10_000,
			max_outgoing_packet_count: MAX_INFLIGHT as u64,
			max_segment_size: 100 * 1024 * 1024,
			max_segment_count: 10,
			custom_segment: None,
			initialized_filters: None,
			shared_subscriptions_strategy: Default::default(),
		},
		v4: Some(HashMap::from([("1".into(), server)])),
		v5: None,
		ws: None,
		cluster: None,
		console: None,
		bridge: None,
		prometheus: None,
		metrics: None,
	};
	let mut broker = rumqttd::Broker::new(config);
	std::thread::Builder::new()
		.name("mqtt-broker".into())
		.spawn(move || {
			if let Err(e) = broker.start() {
				error!(error = %e, "the embedded broker stopped");
			}
		})
		.map_err(|e| Error::Config(format!("the embedded broker's thread: {e}")))?;
	info!(%listen, "embedded MQTT broker started");
	Ok(listen)
}
