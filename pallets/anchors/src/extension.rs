//! The transaction extension that keeps free anchors from piling up in the transaction pool.

use crate::*;
use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use frame_support::{
	pallet_prelude::TransactionSource, traits::IsSubType, weights::Weight, DefaultNoBound,
};
use scale_info::TypeInfo;
use sp_runtime::{
	impl_tx_ext_default,
	traits::{DispatchInfoOf, DispatchOriginOf, TransactionExtension, ValidateResult},
	transaction_validity::ValidTransaction,
};

/// Gives every free anchor a pool tag for the quota slot it takes, `(device, window, used)`,
/// valid until the window ends: two free anchors of one device validated against the same
/// state provide the same tag, so the pool holds at most one of them (never more than the
/// device's remaining quota), and the next is accepted once the first is in a block. It also
/// accounts the storage reads of the free-anchor check (`feeless_if`) in the weight of every
/// transaction that could be free.
///
/// Carries no data: wallets that do not know it sign as if it were not there.
#[derive(Encode, Decode, DecodeWithMemTracking, DefaultNoBound, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct CheckFreeAnchor<T>(PhantomData<T>);

impl<T> CheckFreeAnchor<T> {
	/// The extension (it has no data).
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T> core::fmt::Debug for CheckFreeAnchor<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "CheckFreeAnchor")
	}
}

impl<T: Config + Send + Sync> CheckFreeAnchor<T>
where
	T::RuntimeCall: IsSubType<Call<T>>,
{
	/// The stream, first `seq` and kind of `call` if it is one that may be free: `anchor`, or
	/// `anchor_batch` signed by the device.
	fn free_candidate(call: &T::RuntimeCall) -> Option<(StreamId, Seq, AnchorKind)> {
		match call.is_sub_type()? {
			Call::anchor { stream, seq, .. } => Some((*stream, *seq, AnchorKind::Reading)),
			Call::anchor_batch { device_id: None, stream, first_seq, count, .. } => {
				Some((*stream, *first_seq, AnchorKind::Batch { count: *count }))
			},
			_ => None,
		}
	}
}

impl<T: Config + Send + Sync> TransactionExtension<T::RuntimeCall> for CheckFreeAnchor<T>
where
	T::RuntimeCall: IsSubType<Call<T>>,
{
	const IDENTIFIER: &'static str = "CheckFreeAnchor";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	fn weight(&self, call: &T::RuntimeCall) -> Weight {
		match Self::free_candidate(call) {
			Some(_) => T::WeightInfo::free_anchor_check(),
			None => Weight::zero(),
		}
	}

	fn validate(
		&self,
		origin: DispatchOriginOf<T::RuntimeCall>,
		call: &T::RuntimeCall,
		_info: &DispatchInfoOf<T::RuntimeCall>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Encode,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, T::RuntimeCall> {
		let slot = Self::free_candidate(call).and_then(|(stream, first_seq, kind)| {
			Pallet::<T>::free_slot(&origin, stream, first_seq, kind)
		});
		let validity = match slot {
			Some(slot) => ValidTransaction::with_tag_prefix("FreeAnchor")
				.and_provides((slot.device_id, slot.window_start, slot.used))
				.longevity(slot.blocks_left.max(1))
				.into(),
			None => ValidTransaction::default(),
		};
		Ok((validity, (), origin))
	}

	impl_tx_ext_default!(T::RuntimeCall; prepare);
}
