//! Registers a device and anchors one of its readings, from Rust. Against `scripts/dev.sh`:
//! `cargo run --release --example anchor` (or pass another node's URL).

use iotchain_client::{
	anchoring::{Anchorer, StreamWriter},
	chain::{Client, DeviceMetadata, Wait},
	data,
	keys::{Key, Scheme},
	Error,
};

#[tokio::main]
async fn main() -> Result<(), Error> {
	let url = std::env::args().nth(1).unwrap_or_else(|| "ws://127.0.0.1:9944".into());
	let client = Client::connect(&url).await?;

	// Alice owns the device and pays its deposit; the device has a key of its own.
	let owner = Key::from_suri(Scheme::Sr25519, "//Alice")?;
	let (device_key, _secret_phrase) = Key::generate(Scheme::Ed25519);
	let metadata = DeviceMetadata { model: "TH-1".into(), ..Default::default() };
	let (device, _) =
		client.register_device(&owner, &device_key, &metadata, None, Wait::InBlock).await?;
	println!("device {device:?} registered");

	// The device anchors the fingerprint of a reading on its stream 1, with its own key (free).
	let anchorer = Anchorer::device(&client, device_key).await?;
	let mut stream = StreamWriter::open(client, anchorer, 1, None).await?;
	let anchored = stream.anchor(data::digest(br#"{"t": 21.5}"#)).await?;
	println!("reading {} anchored in block {:?}", anchored.seq, anchored.outcome.block);
	Ok(())
}
