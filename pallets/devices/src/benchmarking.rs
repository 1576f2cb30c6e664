//! Benchmarks of the device registry's calls, each at its worst case (feature
//! `runtime-benchmarks`). `SKIP_WASM_BUILD=1 cargo test --release -p pallet-devices --features
//! runtime-benchmarks` runs each once on the mock runtime and checks its outcome.
//!
//! Device keys are sr25519 keys made in the benchmark's keystore, which sign the registration
//! and rotation payloads as real devices do ([`BenchmarkHelper`]).

#![cfg(feature = "runtime-benchmarks")]

use crate::*;
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::{pallet_prelude::*, traits::fungible::Mutate};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use polkadot_sdk::{frame_benchmarking, sp_io, sp_runtime::traits::Bounded};
use sp_runtime::{traits::IdentifyAccount, AccountId32, MultiSignature, MultiSigner};

/// Makes device keys and their signatures for the benchmarks.
pub trait BenchmarkHelper<AccountId, Signature> {
	/// A new device key (from the keystore), as an account.
	fn device_key() -> AccountId;
	/// `key`'s signature over `payload`.
	fn sign(key: &AccountId, payload: &[u8]) -> Signature;
}

/// sr25519 keys from the keystore, for runtimes with `AccountId32` accounts and
/// `MultiSignature` proofs.
impl BenchmarkHelper<AccountId32, MultiSignature> for () {
	fn device_key() -> AccountId32 {
		let public = sp_io::crypto::sr25519_generate(KEY_TYPE, None);
		MultiSigner::Sr25519(public).into_account()
	}

	fn sign(key: &AccountId32, payload: &[u8]) -> MultiSignature {
		let public = polkadot_sdk::sp_core::sr25519::Public::from_raw(*key.as_ref());
		let signature = sp_io::crypto::sr25519_sign(KEY_TYPE, &public, payload)
			.expect("the key was made in the benchmark's keystore");
		MultiSignature::Sr25519(signature)
	}
}

const KEY_TYPE: polkadot_sdk::sp_core::crypto::KeyTypeId =
	polkadot_sdk::sp_core::crypto::KeyTypeId(*b"iotd");

fn funded<T: Config>(name: &'static str) -> T::AccountId
where
	T::Currency: Mutate<T::AccountId>,
{
	let who: T::AccountId = account(name, 0, 0);
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() / 4u32.into());
	who
}

/// Metadata with every field at `StringLimit`.
fn max_metadata<T: Config>() -> DeviceMetadataOf<T> {
	let field = || BoundedVec::truncate_from(vec![b'x'; T::StringLimit::get() as usize]);
	DeviceMetadata { model: field(), manufacturer: field(), serial: field(), label: field() }
}

/// `key`'s proof that `owner` may register it.
fn registration_proof<T: Config>(owner: &T::AccountId, key: &T::AccountId) -> T::DeviceSignature {
	let payload = RegistrationPayload {
		genesis_hash: Pallet::<T>::genesis_hash(),
		owner: owner.clone(),
		key: key.clone(),
	};
	T::BenchmarkHelper::sign(key, &payload.signing_bytes())
}

/// `new_key`'s proof that it may replace `old_key` of `device_id`.
fn rotation_proof<T: Config>(
	device_id: DeviceId,
	old_key: T::AccountId,
	new_key: &T::AccountId,
) -> T::DeviceSignature {
	let payload = RotationPayload {
		genesis_hash: Pallet::<T>::genesis_hash(),
		device_id,
		old_key,
		new_key: new_key.clone(),
	};
	T::BenchmarkHelper::sign(new_key, &payload.signing_bytes())
}

/// Registers a device of `owner` (funded) with maximal metadata; its id and key. Other
/// pallets' benchmarks make their devices with it.
pub fn registered<T: Config>(owner: &T::AccountId) -> (DeviceId, T::AccountId) {
	let key = T::BenchmarkHelper::device_key();
	let proof = registration_proof::<T>(owner, &key);
	Pallet::<T>::register(
		RawOrigin::Signed(owner.clone()).into(),
		key.clone(),
		proof,
		max_metadata::<T>(),
		Some(H256::repeat_byte(1)),
	)
	.expect("registration of a funded owner's fresh key");
	(device_id_of(&key), key)
}

fn assert_last_event<T: Config>(event: Event<T>) {
	frame_system::Pallet::<T>::assert_last_event(<T as frame_system::Config>::RuntimeEvent::from(
		event,
	));
}

#[benchmarks(where T::Currency: Mutate<T::AccountId>)]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register() {
		let owner = funded::<T>("owner");
		let key = T::BenchmarkHelper::device_key();
		let proof = registration_proof::<T>(&owner, &key);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(owner),
			key.clone(),
			proof,
			max_metadata::<T>(),
			Some(H256::repeat_byte(1)),
		);

		assert!(DeviceByKey::<T>::contains_key(&key));
	}

	/// By the owner, recovering a compromised device: the compromise window is closed too.
	#[benchmark]
	fn rotate_key() {
		let owner = funded::<T>("owner");
		let (device_id, old_key) = registered::<T>(&owner);
		let now = frame_system::Pallet::<T>::block_number();
		Pallet::<T>::report_compromised(RawOrigin::Signed(owner.clone()).into(), device_id, now)
			.expect("the owner reports");
		let new_key = T::BenchmarkHelper::device_key();
		let proof = rotation_proof::<T>(device_id, old_key, &new_key);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device_id, new_key.clone(), proof);

		assert_eq!(DeviceByKey::<T>::get(&new_key), Some(device_id));
	}

	#[benchmark]
	fn transfer_ownership() {
		let owner = funded::<T>("owner");
		let (device_id, _) = registered::<T>(&owner);
		let buyer: T::AccountId = account("buyer", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device_id, buyer);

		assert!(Devices::<T>::get(device_id).and_then(|d| d.transfer_offer).is_some());
	}

	/// The deposit moves to the buyer; the lifecycle hooks are weighed on their own.
	#[benchmark]
	fn accept_ownership() {
		let owner = funded::<T>("owner");
		let buyer = funded::<T>("buyer");
		let (device_id, _) = registered::<T>(&owner);
		Pallet::<T>::transfer_ownership(RawOrigin::Signed(owner).into(), device_id, buyer.clone())
			.expect("the owner offers");

		#[extrinsic_call]
		_(RawOrigin::Signed(buyer.clone()), device_id);

		assert_eq!(Devices::<T>::get(device_id).map(|d| d.owner), Some(buyer));
	}

	#[benchmark]
	fn cancel_transfer() {
		let owner = funded::<T>("owner");
		let (device_id, _) = registered::<T>(&owner);
		let buyer: T::AccountId = account("buyer", 0, 0);
		Pallet::<T>::transfer_ownership(RawOrigin::Signed(owner.clone()).into(), device_id, buyer)
			.expect("the owner offers");

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device_id);

		assert_last_event::<T>(Event::TransferCancelled { device_id });
	}

	/// From empty metadata to the maximum: the deposit grows.
	#[benchmark]
	fn update_metadata() {
		let owner = funded::<T>("owner");
		let (device_id, _) = registered::<T>(&owner);
		Pallet::<T>::update_metadata(
			RawOrigin::Signed(owner.clone()).into(),
			device_id,
			Default::default(),
		)
		.expect("the owner empties the metadata");

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device_id, max_metadata::<T>());

		assert_eq!(Devices::<T>::get(device_id).map(|d| d.metadata), Some(max_metadata::<T>()));
	}

	#[benchmark]
	fn set_firmware() {
		let owner = funded::<T>("owner");
		let (device_id, _) = registered::<T>(&owner);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device_id, H256::repeat_byte(2));

		assert_eq!(
			Devices::<T>::get(device_id).and_then(|d| d.firmware),
			Some(H256::repeat_byte(2))
		);
	}

	#[benchmark]
	fn set_custody() {
		let owner = funded::<T>("owner");
		let (device_id, _) = registered::<T>(&owner);
		let gateway: T::AccountId = account("gateway", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device_id, Custody::Gateway { account: gateway.clone() });

		assert_eq!(Pallet::<T>::custody_of(&device_id), Custody::Gateway { account: gateway });
	}

	#[benchmark]
	fn set_agreement_key() {
		let owner = funded::<T>("owner");
		let (device_id, _) = registered::<T>(&owner);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device_id, Some([7; 32]));

		assert_eq!(Devices::<T>::get(device_id).and_then(|d| d.agreement_key), Some([7; 32]));
	}

	#[benchmark]
	fn suspend() {
		let owner = funded::<T>("owner");
		let (device_id, _) = registered::<T>(&owner);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), device_id);

		assert_last_event::<T>(Event::Suspended { device_id, by: owner });
	}

	#[benchmark]
	fn resume() {
		let owner = funded::<T>("owner");
		let (device_id, _) = registered::<T>(&owner);
		Pallet::<T>::suspend(RawOrigin::Signed(owner.clone()).into(), device_id)
			.expect("the owner suspends");

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), device_id);

		assert_last_event::<T>(Event::Resumed { device_id, by: owner });
	}

	/// With the compromise history full: the two oldest windows merge.
	#[benchmark]
	fn report_compromised() {
		let owner = funded::<T>("owner");
		let (device_id, mut key) = registered::<T>(&owner);
		for _ in 0..T::MaxCompromises::get() {
			let now = frame_system::Pallet::<T>::block_number();
			Pallet::<T>::report_compromised(
				RawOrigin::Signed(owner.clone()).into(),
				device_id,
				now,
			)
			.expect("the owner reports");
			let new_key = T::BenchmarkHelper::device_key();
			let proof = rotation_proof::<T>(device_id, key, &new_key);
			Pallet::<T>::rotate_key(
				RawOrigin::Signed(owner.clone()).into(),
				device_id,
				new_key.clone(),
				proof,
			)
			.expect("the owner recovers the device");
			key = new_key;
			frame_system::Pallet::<T>::set_block_number(now + 1u32.into());
		}
		let now: BlockNumberFor<T> = frame_system::Pallet::<T>::block_number();

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device_id, now);

		assert_last_event::<T>(Event::Compromised { device_id, since: now });
		let history = Devices::<T>::get(device_id).map(|d| d.compromises.len() as u32);
		assert_eq!(history, Some(T::MaxCompromises::get()), "the oldest windows merged");
	}

	#[benchmark]
	fn retire() {
		let owner = funded::<T>("owner");
		let (device_id, _) = registered::<T>(&owner);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device_id);

		assert!(RetiredDevices::<T>::contains_key(device_id));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
