//! The gateway's HTTP API (`[http] listen` in the configuration):
//!
//! - `GET /proof/{device}/{stream}/{seq}`: a reading's proof file, as `iotchain-gateway proof`
//!   prints it and `iotctl verify --proof` reads it. Public: it holds the reading's digest, not
//!   the reading.
//! - `GET /challenge`: a fresh challenge ([`Challenge`]), good once for [`CHALLENGE_TTL`].
//! - `GET /readings/{device}/{stream}/{seq}`: the raw reading ([`ReadingView`]), for an account
//!   holding `Read` on the stream, checked on chain (`iotchain_checkAccess`). The caller names
//!   its account and proves it holds it by signing a [`ReadRequest`] over the challenge (the
//!   headers of [`iotchain_client::gateway`]). A challenge is consumed by its first use, good or
//!   bad, so a replayed request is refused.
//! - `GET /metrics`: Prometheus metrics.
//!
//! Refusals are `403` with the reason as text; malformed requests `400`; unknown readings
//! `404`; a chain that cannot be asked `503`.

use crate::{chain::ChainLink, metrics::Metrics, store::Store, Error};
use axum::{
	extract::{Path, State},
	http::{header, HeaderMap, StatusCode},
	response::{IntoResponse, Response},
	routing::get,
	Json, Router,
};
use codec::Decode;
use iotchain_client::{
	data::parse_device_id,
	gateway::{
		Challenge, ReadRequest, ReadingView, ACCOUNT_HEADER, CHALLENGE_HEADER, SIGNATURE_HEADER,
	},
	keys,
};
use iotchain_primitives::{DeviceId, Permission, Seq, StreamId};
use polkadot_sdk::{
	sp_core::{crypto, H256},
	sp_runtime::{traits::Verify, MultiSignature},
};
use std::{
	collections::HashMap,
	net::SocketAddr,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};
use tracing::info;

/// How long a challenge may be used.
pub const CHALLENGE_TTL: Duration = Duration::from_secs(60);
/// The most challenges outstanding at once; beyond, expired ones are dropped, and if none has
/// expired, new ones are refused (503) until some are used or expire.
const MAX_CHALLENGES: usize = 100_000;

/// What the handlers share.
pub struct Api {
	pub store: Arc<Store>,
	pub chain: Arc<ChainLink>,
	pub metrics: Arc<Metrics>,
	/// The gateway's account: read requests name it.
	pub gateway: [u8; 32],
	challenges: Mutex<HashMap<[u8; 32], Instant>>,
}

impl Api {
	pub fn new(
		store: Arc<Store>,
		chain: Arc<ChainLink>,
		metrics: Arc<Metrics>,
		gateway: [u8; 32],
	) -> Self {
		Self { store, chain, metrics, gateway, challenges: Mutex::new(HashMap::new()) }
	}
}

/// Serves the API on `listen` until the process ends.
pub async fn serve(listen: SocketAddr, api: Arc<Api>) -> Result<(), Error> {
	let listener = tokio::net::TcpListener::bind(listen)
		.await
		.map_err(|e| Error::Config(format!("http.listen {listen}: {e}")))?;
	info!(%listen, "HTTP API listening");
	axum::serve(listener, router(api))
		.await
		.map_err(|e| Error::Store(format!("the HTTP API stopped: {e}")))
}

fn router(api: Arc<Api>) -> Router {
	Router::new()
		.route("/challenge", get(challenge))
		.route("/proof/{device}/{stream}/{seq}", get(proof))
		.route("/readings/{device}/{stream}/{seq}", get(reading))
		.route("/metrics", get(metrics))
		.with_state(api)
}

/// A refusal or failure, as an HTTP status and a reason.
struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
	fn into_response(self) -> Response {
		(self.0, self.1).into_response()
	}
}

fn bad_request(what: impl std::fmt::Display) -> Refusal {
	Refusal(StatusCode::BAD_REQUEST, what.to_string())
}

fn forbidden(why: &str) -> Refusal {
	Refusal(StatusCode::FORBIDDEN, why.into())
}

impl From<Error> for Refusal {
	fn from(error: Error) -> Self {
		let status = match &error {
			Error::NotFound(_) => StatusCode::NOT_FOUND,
			Error::Client(_) => StatusCode::SERVICE_UNAVAILABLE,
			Error::Config(_) | Error::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
		};
		Refusal(status, error.to_string())
	}
}

fn device_id(text: &str) -> Result<DeviceId, Refusal> {
	parse_device_id(text).map_err(bad_request)
}

async fn challenge(State(api): State<Arc<Api>>) -> Result<Json<Challenge>, Refusal> {
	let mut bytes = [0u8; 32];
	getrandom::getrandom(&mut bytes)
		.map_err(|e| Refusal(StatusCode::INTERNAL_SERVER_ERROR, format!("randomness: {e}")))?;
	let now = Instant::now();
	{
		let mut challenges = api.challenges.lock().unwrap_or_else(|e| e.into_inner());
		if challenges.len() >= MAX_CHALLENGES {
			challenges.retain(|_, issued| now.duration_since(*issued) < CHALLENGE_TTL);
		}
		if challenges.len() >= MAX_CHALLENGES {
			return Err(Refusal(
				StatusCode::SERVICE_UNAVAILABLE,
				"too many challenges outstanding: try again in a minute".into(),
			));
		}
		challenges.insert(bytes, now);
	}
	Ok(Json(Challenge {
		gateway: crypto::Ss58Codec::to_ss58check(&crypto::AccountId32::new(api.gateway)),
		challenge: H256(bytes),
		expires_in_ms: CHALLENGE_TTL.as_millis() as u64,
	}))
}

async fn proof(
	State(api): State<Arc<Api>>,
	Path((device, stream, seq)): Path<(String, StreamId, Seq)>,
) -> Result<Response, Refusal> {
	let proof = api.store.proof(device_id(&device)?, stream, seq)?;
	Ok(Json(proof).into_response())
}

async fn reading(
	State(api): State<Arc<Api>>,
	Path((device, stream, seq)): Path<(String, StreamId, Seq)>,
	headers: HeaderMap,
) -> Result<Json<ReadingView>, Refusal> {
	let device = device_id(&device)?;
	let header = |name: &str| {
		headers
			.get(name)
			.and_then(|v| v.to_str().ok())
			.ok_or_else(|| bad_request(format!("missing header {name}")))
	};
	let account = keys::parse_account(header(ACCOUNT_HEADER)?).map_err(bad_request)?;
	let challenge = hex_bytes(header(CHALLENGE_HEADER)?)
		.and_then(|b| <[u8; 32]>::try_from(b).ok())
		.ok_or_else(|| bad_request(format!("{CHALLENGE_HEADER}: not 32 bytes of 0x-hex")))?;
	let signature = hex_bytes(header(SIGNATURE_HEADER)?)
		.and_then(|b| MultiSignature::decode(&mut &b[..]).ok())
		.ok_or_else(|| {
			bad_request(format!("{SIGNATURE_HEADER}: not a 0x-hex SCALE MultiSignature"))
		})?;

	// Consumed by this use, whatever comes next: a replay finds it gone.
	let issued = api.challenges.lock().unwrap_or_else(|e| e.into_inner()).remove(&challenge);
	if issued.is_none_or(|issued| issued.elapsed() >= CHALLENGE_TTL) {
		return Err(forbidden("unknown, expired or already used challenge: get a new one"));
	}
	let request = ReadRequest { gateway: api.gateway, challenge, device, stream, seq };
	if !signature.verify(&request.signing_bytes()[..], &crypto::AccountId32::new(account.0)) {
		return Err(forbidden("the signature is not the account's over this request"));
	}
	let client = api.chain.client().await.map_err(|e| {
		api.metrics.error("chain");
		Refusal::from(e)
	})?;
	let access = client.check_access(device, &account, stream, Permission::Read).await;
	let access = access.map_err(|e| {
		api.chain.reset();
		api.metrics.error("chain");
		Refusal::from(Error::from(e))
	})?;
	if !access.allowed {
		return Err(forbidden("the account holds no Read grant on this stream"));
	}
	let stored = api
		.store
		.reading(device, stream, seq)?
		.ok_or_else(|| Refusal(StatusCode::NOT_FOUND, format!("no reading {seq} here")))?;
	let anchored = api.store.stream(device, stream)?.is_some_and(|r| r.anchored_through >= seq);
	Ok(Json(ReadingView::new(
		seq,
		stored.topic,
		&stored.payload,
		stored.received_ms,
		H256(stored.digest),
		anchored,
	)))
}

async fn metrics(State(api): State<Arc<Api>>) -> impl IntoResponse {
	([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], api.metrics.render())
}

fn hex_bytes(text: &str) -> Option<Vec<u8>> {
	hex::decode(text.strip_prefix("0x")?).ok()
}
