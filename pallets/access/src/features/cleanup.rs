//! Bounded clean-up of expired grants in `on_idle`.

use crate::*;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;

/// At most this many grants are looked at per block.
const MAX_PER_BLOCK: u32 = 64;

impl<T: Config> Pallet<T> {
	/// Looks at grants from where the last clean-up stopped, removing expired ones, while
	/// `remaining` weight allows; wraps around at the end of the map.
	pub(crate) fn clean_up_expired(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
		let per_grant = T::WeightInfo::clean_up_grant();
		let overhead = T::DbWeight::get().reads_writes(1, 1);
		let Some(budget) = remaining.checked_sub(&overhead) else { return Weight::zero() };
		let max =
			budget.checked_div_per_component(&per_grant).unwrap_or(0).min(MAX_PER_BLOCK.into());
		if max == 0 {
			return Weight::zero();
		}

		let mut iter = match CleanupCursor::<T>::take() {
			Some(cursor) => Grants::<T>::iter_from(cursor.into_inner()),
			None => Grants::<T>::iter(),
		};
		let mut looked_at = 0u64;
		let mut finished = true;
		while looked_at < max {
			let Some((device_id, grantee, grant)) = iter.next() else { break };
			looked_at += 1;
			if !grant.is_active(now) && Self::remove_grant(&device_id, &grantee) {
				Self::deposit_event(Event::Expired { device_id, grantee });
			}
			if looked_at == max {
				finished = false;
			}
		}
		if !finished {
			if let Ok(cursor) = BoundedVec::try_from(iter.last_raw_key().to_vec()) {
				CleanupCursor::<T>::put(cursor);
			}
		}
		overhead.saturating_add(per_grant.saturating_mul(looked_at))
	}
}
