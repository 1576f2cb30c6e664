//! What Polkadot.js shows users: iotchain's pallets under their stable names and indices, with
//! documentation on every call, event and error.

use codec::Decode;
use frame_metadata::{v16::RuntimeMetadataV16, RuntimeMetadata, RuntimeMetadataPrefixed};
use iotchain_runtime::Runtime;
use scale_info::{form::PortableForm, TypeDef};

fn metadata() -> RuntimeMetadataV16 {
	let bytes = Runtime::metadata_at_version(16).expect("the runtime serves metadata v16");
	match RuntimeMetadataPrefixed::decode(&mut &bytes[..]).expect("metadata decodes").1 {
		RuntimeMetadata::V16(metadata) => metadata,
		_ => panic!("asked for v16"),
	}
}

/// The variants of the enum with type id `ty`, each with its docs.
fn variants(metadata: &RuntimeMetadataV16, ty: u32) -> Vec<(String, Vec<String>)> {
	let ty = metadata.types.resolve(ty).expect("type is in the registry");
	match &ty.type_def {
		TypeDef::Variant(def) => def
			.variants
			.iter()
			.map(|v: &scale_info::Variant<PortableForm>| (v.name.clone(), v.docs.clone()))
			.collect(),
		other => panic!("expected an enum, got {other:?}"),
	}
}

#[test]
fn iotchain_pallets_keep_their_names_and_indices() {
	let metadata = metadata();
	let pallets: Vec<(&str, u8)> =
		metadata.pallets.iter().map(|p| (p.name.as_str(), p.index)).collect();
	for expected in [
		("System", 0),
		("Balances", 4),
		("Sudo", 6),
		("Devices", 10),
		("Anchors", 11),
		("Access", 12),
		("Session", 13),
		("ValidatorSet", 14),
	] {
		assert!(pallets.contains(&expected), "{expected:?} missing in {pallets:?}");
	}
}

#[test]
fn every_call_event_and_error_of_our_pallets_is_documented() {
	let metadata = metadata();
	for name in ["Devices", "Anchors", "Access", "ValidatorSet"] {
		let pallet = metadata.pallets.iter().find(|p| p.name == name).expect("pallet present");
		let calls = pallet.calls.as_ref().expect("pallet has calls").ty.id;
		let events = pallet.event.as_ref().expect("pallet has events").ty.id;
		let errors = pallet.error.as_ref().expect("pallet has errors").ty.id;
		for (kind, ty) in [("call", calls), ("event", events), ("error", errors)] {
			let variants = variants(&metadata, ty);
			assert!(!variants.is_empty(), "{name} has no {kind}s");
			for (variant, docs) in variants {
				assert!(
					docs.iter().any(|line| !line.trim().is_empty()),
					"{name}::{variant} ({kind}) has no documentation"
				);
			}
		}
		assert!(!pallet.storage.as_ref().expect("pallet has storage").entries.is_empty());
		for entry in &pallet.storage.as_ref().unwrap().entries {
			assert!(!entry.docs.is_empty(), "{name} storage {} has no documentation", entry.name);
		}
		for constant in &pallet.constants {
			assert!(!constant.docs.is_empty(), "{name} constant {} has no docs", constant.name);
		}
	}
}
