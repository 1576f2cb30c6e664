//! What can go wrong, named so that a caller (and `iotctl`'s exit code) can tell bad input from a
//! refusal by the chain from an unreachable node.

/// An error of the SDK.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	/// Bad input: an id, a hash, an account, a file that cannot be read.
	#[error("{0}")]
	Input(String),
	/// A key file or secret URI that cannot be used.
	#[error("{0}")]
	Key(String),
	/// The local sequence state cannot be read or written.
	#[error("local state {0}")]
	State(String),
	/// The node cannot be reached.
	#[error("cannot reach the node at {url}: {reason}")]
	Connect {
		/// The URL tried.
		url: String,
		/// Why not.
		reason: String,
	},
	/// The node answered, but not as expected (an RPC error, a decoding failure).
	#[error("{0}")]
	Node(String),
	/// The transaction was not accepted into the pool or a block (bad nonce, cannot pay fees...).
	#[error("transaction refused: {0}")]
	Refused(String),
	/// The transaction was included but its call failed with a pallet error.
	#[error("{pallet}.{error}: {docs}")]
	Dispatch {
		/// The pallet as Polkadot.js names it, e.g. `anchors`.
		pallet: String,
		/// The error variant, e.g. `StaleSequence`.
		error: String,
		/// The error's documentation.
		docs: String,
	},
	/// The transaction was included but failed with an error outside any pallet.
	#[error("transaction failed: {0}")]
	Failed(String),
	/// A gateway's HTTP API refused the request (403: no `Read` grant, a bad signature or a
	/// used challenge; 404: no such reading).
	#[error("the gateway answered {status}: {message}")]
	Gateway {
		/// The HTTP status.
		status: u16,
		/// The gateway's explanation.
		message: String,
	},
	/// The chain refused an anchor, and the SDK could tell why.
	#[error("{chain}; {refusal}")]
	Anchor {
		/// Why.
		refusal: crate::anchoring::Refusal,
		/// The chain's answer ([`Error::Refused`] or [`Error::Dispatch`]).
		chain: Box<Error>,
	},
}

impl Error {
	/// An RPC or decoding failure.
	pub(crate) fn node(e: impl std::fmt::Display) -> Self {
		Self::Node(e.to_string())
	}

	/// Bad input unless `what`, `len` bytes long, fits the chain's limit of `max` bytes.
	pub(crate) fn check_len(what: &str, len: usize, max: u32) -> Result<(), Self> {
		if len > max as usize {
			return Err(Self::Input(format!(
				"{what} is {len} bytes long; at most {max} are allowed"
			)));
		}
		Ok(())
	}

	/// Whether the error came from the chain refusing what was asked (as opposed to bad input or
	/// an unreachable node).
	pub fn is_refusal(&self) -> bool {
		matches!(
			self,
			Self::Refused(_) | Self::Dispatch { .. } | Self::Failed(_) | Self::Anchor { .. }
		)
	}
}
