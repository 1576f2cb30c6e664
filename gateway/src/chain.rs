//! The gateway's connection to the chain, shared by the anchoring loop and the HTTP API: made
//! when first needed, dropped when it fails, and made again on the next use.

use crate::Error;
use iotchain_client::chain::Client;
use std::sync::Mutex;

/// A connection to the node at `url`, or none yet.
pub struct ChainLink {
	url: String,
	client: Mutex<Option<Client>>,
}

impl ChainLink {
	pub fn new(url: String) -> Self {
		Self { url, client: Mutex::new(None) }
	}

	/// The connection, made now if there is none.
	pub async fn client(&self) -> Result<Client, Error> {
		if let Some(client) = self.slot().clone() {
			return Ok(client);
		}
		let client = Client::connect(&self.url).await?;
		*self.slot() = Some(client.clone());
		Ok(client)
	}

	/// Drops the connection: it failed, the next use makes a new one.
	pub fn reset(&self) {
		*self.slot() = None;
	}

	fn slot(&self) -> std::sync::MutexGuard<'_, Option<Client>> {
		// A panic while holding the lock leaves a usable `Option` behind.
		self.client.lock().unwrap_or_else(|e| e.into_inner())
	}
}
