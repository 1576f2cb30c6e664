//! # iotchain primitives
//!
//! The one place for what the iotchain runtime and its clients (`iotctl`, the gateway, the
//! end-to-end tests) must compute identically: identifiers, device status, the payloads a
//! device key signs to prove possession, the hash chain and Merkle batches of anchored data, the proof
//! that ties an anchor to a finalized block and its check, the runtime APIs with their result types, and the traits through which the pallets see each
//! other (`DeviceRegistry`, `DeviceLifecycleHooks`, `AccessControl`).
//!
//! `no_std` by default for the runtime; clients use it with the `std` feature, and with `serde`
//! for the JSON view of each concept ([`json`]) that the node's RPC and `iotctl` share, and with
//! `messaging` for sealing and opening device-to-device messages ([`message::crypto`]).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod access;
pub mod anchor;
pub mod api;
pub mod device;
#[cfg(feature = "serde")]
pub mod json;
pub mod message;
pub mod proof;
pub mod traits;

pub use access::*;
pub use anchor::*;
pub use api::*;
pub use device::*;
pub use proof::*;
pub use traits::*;
