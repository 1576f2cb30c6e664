//! Unit tests of every call and error path, expiry, the manager rules, the no-orphans cascade,
//! clean-up and the lifecycle hooks.

use crate::{mock::*, *};
use frame_support::dispatch::DispatchResultWithPostInfo;
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::InspectHold, Get, Hooks},
	weights::{RuntimeDbWeight, Weight},
};
use polkadot_sdk::sp_runtime::{DispatchError, TokenError};

const STREAM: StreamId = 7;
const OTHER_STREAM: StreamId = 8;
const RW: Permissions = Permissions(Permissions::READ.0 | Permissions::WRITE.0);

fn grant(
	by: AccountId,
	to: AccountId,
	permissions: Permissions,
	stream: Option<StreamId>,
	expires_at: Option<BlockNumber>,
) -> DispatchResultWithPostInfo {
	AccessPallet::grant(
		RuntimeOrigin::signed(by),
		DEVICE,
		to,
		permissions,
		stream,
		expires_at,
		None,
	)
}

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::GrantDeposit.into(), &who)
}

fn may(who: AccountId, stream: StreamId, permission: Permission) -> bool {
	let now = System::block_number();
	<Pallet<Test> as AccessControl<_, _>>::has_permission(&DEVICE, &who, stream, permission, now)
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::AccessPallet(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// Runs `f` on a fresh chain and checks the pallet's invariants at the end.
fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		AccessPallet::do_try_state().expect("the access invariants hold");
	});
}

mod granting {
	use super::*;

	#[test]
	fn the_owner_grants_with_a_deposit() {
		test(|| {
			assert_ok!(AccessPallet::grant(
				RuntimeOrigin::signed(OWNER),
				DEVICE,
				GATEWAY,
				Permissions::WRITE,
				Some(STREAM),
				Some(10),
				Some([9; 32]),
			));
			let g = Grants::<Test>::get(DEVICE, GATEWAY).unwrap();
			assert_eq!(g.permissions, Permissions::WRITE);
			assert_eq!(g.stream, Some(STREAM));
			assert_eq!(g.expires_at, Some(10));
			assert_eq!(g.grantee_key, Some([9; 32]));
			assert_eq!(g.granted_by, OWNER);
			assert_eq!(held(OWNER), DEPOSIT);
			assert_eq!(GrantCount::<Test>::get(DEVICE), 1);
			assert_eq!(
				events(),
				vec![Event::Granted {
					device_id: DEVICE,
					grantee: GATEWAY,
					permissions: Permissions::WRITE,
					stream: Some(STREAM),
					expires_at: Some(10),
					granted_by: OWNER,
				}]
			);
		});
	}

	#[test]
	fn is_enforced_per_stream_permission_and_until_expiry() {
		test(|| {
			assert_ok!(grant(OWNER, GATEWAY, Permissions::WRITE, Some(STREAM), Some(10)));
			assert!(may(GATEWAY, STREAM, Permission::Write));
			assert!(!may(GATEWAY, OTHER_STREAM, Permission::Write));
			assert!(!may(GATEWAY, STREAM, Permission::Read));
			assert!(!may(STRANGER, STREAM, Permission::Write));
			System::set_block_number(9);
			assert!(may(GATEWAY, STREAM, Permission::Write), "allowed at expires_at - 1");
			System::set_block_number(10);
			assert!(!may(GATEWAY, STREAM, Permission::Write), "denied at expires_at");
			// Still stored until cleaned up, but worth nothing.
			assert!(Grants::<Test>::contains_key(DEVICE, GATEWAY));

			assert_ok!(grant(OWNER, READER, Permissions::READ, None, None));
			assert!(
				may(READER, STREAM, Permission::Read)
					&& may(READER, OTHER_STREAM, Permission::Read)
			);
		});
	}

	#[test]
	fn refuses_bad_requests() {
		test(|| {
			assert_noop!(
				grant(OWNER, GATEWAY, Permissions(0), None, None),
				Error::<Test>::InvalidPermissions
			);
			assert_noop!(
				grant(OWNER, GATEWAY, Permissions(8), None, None),
				Error::<Test>::InvalidPermissions
			);
			assert_noop!(grant(OWNER, GATEWAY, RW, None, Some(1)), Error::<Test>::ExpiryInPast);
			assert_noop!(grant(OWNER, OWNER, RW, None, None), Error::<Test>::GranteeIsOwner);
			assert_noop!(grant(STRANGER, GATEWAY, RW, None, None), Error::<Test>::NotAllowed);
			assert_noop!(
				AccessPallet::grant(
					RuntimeOrigin::signed(OWNER),
					DeviceId::repeat_byte(9),
					GATEWAY,
					RW,
					None,
					None,
					None
				),
				Error::<Test>::UnknownDevice
			);
			// A reader is no manager.
			assert_ok!(grant(OWNER, READER, Permissions::READ, None, None));
			assert_noop!(
				grant(READER, GATEWAY, Permissions::READ, None, None),
				Error::<Test>::NotAllowed
			);
		});
	}

	#[test]
	fn is_bounded_per_device_and_needs_the_deposit() {
		test(|| {
			for grantee in 10..10 + MAX_GRANTS as u64 {
				assert_ok!(grant(OWNER, grantee, Permissions::READ, None, None));
			}
			assert_noop!(
				grant(OWNER, 99, Permissions::READ, None, None),
				Error::<Test>::TooManyGrants
			);
			// Other devices are not affected by this device's grants.
			assert_ok!(AccessPallet::grant(
				RuntimeOrigin::signed(OWNER),
				OTHER_DEVICE,
				99,
				Permissions::READ,
				None,
				None,
				None
			));
			// Replacing an existing grant needs no new slot.
			assert_ok!(grant(OWNER, 10, RW, None, None));

			// An owner without funds for the deposit (the device changed hands: its grants went).
			Owners::mutate(|o| o.insert(OTHER_DEVICE, 42));
			<AccessPallet as DeviceLifecycleHooks<AccountId>>::on_ownership_changed(
				&OTHER_DEVICE,
				&OWNER,
				&42,
			);
			assert_noop!(
				AccessPallet::grant(
					RuntimeOrigin::signed(42),
					OTHER_DEVICE,
					GATEWAY,
					RW,
					None,
					None,
					None
				),
				DispatchError::Token(TokenError::FundsUnavailable)
			);
		});
	}

	#[test]
	fn replacing_a_grant_returns_the_old_deposit() {
		test(|| {
			assert_ok!(grant(OWNER, MANAGER, Permissions::ALL, None, None));
			assert_ok!(grant(MANAGER, GATEWAY, Permissions::WRITE, Some(STREAM), None));
			assert_eq!(held(MANAGER), DEPOSIT);
			// The owner replaces the manager's grant for the gateway with its own.
			assert_ok!(grant(OWNER, GATEWAY, Permissions::READ, None, None));
			assert_eq!(held(MANAGER), 0);
			assert_eq!(held(OWNER), 2 * DEPOSIT);
			assert_eq!(
				Grants::<Test>::get(DEVICE, GATEWAY).unwrap().permissions,
				Permissions::READ
			);
		});
	}
}

mod managers {
	use super::*;

	#[test]
	fn grant_within_their_own_grant_only() {
		test(|| {
			assert_ok!(grant(
				OWNER,
				MANAGER,
				Permissions::MANAGE | Permissions::WRITE,
				None,
				Some(50)
			));
			assert_ok!(grant(MANAGER, GATEWAY, Permissions::WRITE, Some(STREAM), Some(50)));
			assert_eq!(Grants::<Test>::get(DEVICE, GATEWAY).unwrap().granted_by, MANAGER);
			assert_eq!(held(MANAGER), DEPOSIT);
			// More than it holds.
			assert_noop!(
				grant(MANAGER, READER, Permissions::READ, None, Some(50)),
				Error::<Test>::Escalation
			);
			// Beyond its expiry, or without one.
			assert_noop!(
				grant(MANAGER, READER, Permissions::WRITE, None, Some(51)),
				Error::<Test>::Escalation
			);
			assert_noop!(
				grant(MANAGER, READER, Permissions::WRITE, None, None),
				Error::<Test>::Escalation
			);
			// MANAGE itself, within its limits, is fine.
			assert_ok!(grant(MANAGER, READER, Permissions::MANAGE, None, Some(40)));
		});
	}

	#[test]
	fn manage_is_device_wide_and_one_rule_decides_who_manages() {
		test(|| {
			for by in [OWNER, MANAGER] {
				if by == MANAGER {
					assert_ok!(grant(OWNER, MANAGER, Permissions::ALL, None, None));
				}
				assert_noop!(
					grant(
						by,
						GATEWAY,
						Permissions::MANAGE | Permissions::WRITE,
						Some(STREAM),
						None
					),
					Error::<Test>::ManageOnStream
				);
			}
			// The manager that may grant is the manager that may suspend, and vice versa.
			let manages = |who| <Pallet<Test> as AccessControl<_, _>>::is_manager(&DEVICE, &who, 1);
			assert!(manages(MANAGER));
			assert_ok!(grant(MANAGER, GATEWAY, Permissions::WRITE, Some(STREAM), None));
			assert!(!manages(GATEWAY));
			assert_noop!(
				grant(GATEWAY, READER, Permissions::WRITE, Some(STREAM), None),
				Error::<Test>::NotAllowed
			);
		});
	}

	#[test]
	fn expired_ones_manage_nothing() {
		test(|| {
			assert_ok!(grant(OWNER, MANAGER, Permissions::ALL, None, Some(5)));
			assert!(<Pallet<Test> as AccessControl<_, _>>::is_manager(&DEVICE, &MANAGER, 4));
			System::set_block_number(5);
			assert!(!<Pallet<Test> as AccessControl<_, _>>::is_manager(&DEVICE, &MANAGER, 5));
			assert_noop!(
				grant(MANAGER, GATEWAY, Permissions::READ, None, Some(6)),
				Error::<Test>::NotAllowed
			);
		});
	}

	#[test]
	fn revoke_only_what_they_could_grant() {
		test(|| {
			assert_ok!(grant(OWNER, MANAGER, Permissions::MANAGE | Permissions::WRITE, None, None));
			assert_ok!(grant(OWNER, READER, Permissions::READ, None, None));
			assert_ok!(grant(OWNER, GATEWAY, Permissions::WRITE, Some(STREAM), None));
			assert_noop!(
				AccessPallet::revoke(RuntimeOrigin::signed(MANAGER), DEVICE, READER),
				Error::<Test>::Escalation
			);
			assert_ok!(AccessPallet::revoke(RuntimeOrigin::signed(MANAGER), DEVICE, GATEWAY));
			assert!(!Grants::<Test>::contains_key(DEVICE, GATEWAY));
			assert_eq!(held(OWNER), 2 * DEPOSIT);
		});
	}
}

mod revoking {
	use super::*;

	#[test]
	fn returns_the_deposit_and_takes_effect_at_once() {
		test(|| {
			assert_ok!(grant(OWNER, GATEWAY, Permissions::WRITE, Some(STREAM), None));
			assert_ok!(AccessPallet::revoke(RuntimeOrigin::signed(OWNER), DEVICE, GATEWAY));
			assert!(!may(GATEWAY, STREAM, Permission::Write));
			assert_eq!(held(OWNER), 0);
			assert_eq!(Balances::free_balance(OWNER), ENDOWMENT);
			assert_eq!(GrantCount::<Test>::get(DEVICE), 0);
			assert_eq!(
				events().last(),
				Some(&Event::Revoked { device_id: DEVICE, grantee: GATEWAY })
			);
			assert_noop!(
				AccessPallet::revoke(RuntimeOrigin::signed(OWNER), DEVICE, GATEWAY),
				Error::<Test>::NoGrant
			);
		});
	}

	#[test]
	fn by_strangers_fails() {
		test(|| {
			assert_ok!(grant(OWNER, GATEWAY, Permissions::WRITE, None, None));
			assert_noop!(
				AccessPallet::revoke(RuntimeOrigin::signed(STRANGER), DEVICE, GATEWAY),
				Error::<Test>::NotAllowed
			);
			// Not even by the grantee itself: it renounces instead.
			assert_noop!(
				AccessPallet::revoke(RuntimeOrigin::signed(GATEWAY), DEVICE, GATEWAY),
				Error::<Test>::NotAllowed
			);
		});
	}

	#[test]
	fn a_manager_takes_the_grants_it_made_with_it() {
		test(|| {
			assert_ok!(grant(OWNER, MANAGER, Permissions::ALL, None, None));
			assert_ok!(grant(MANAGER, READER, Permissions::MANAGE | Permissions::READ, None, None));
			assert_ok!(grant(READER, GATEWAY, Permissions::READ, Some(STREAM), None));
			assert_ok!(grant(OWNER, STRANGER, Permissions::READ, None, None));
			assert_eq!((held(OWNER), held(MANAGER), held(READER)), (2 * DEPOSIT, DEPOSIT, DEPOSIT));

			assert_ok!(AccessPallet::revoke(RuntimeOrigin::signed(OWNER), DEVICE, MANAGER));
			// The manager's grant, the one it made, and the one that one made: all gone.
			for gone in [MANAGER, READER, GATEWAY] {
				assert!(!Grants::<Test>::contains_key(DEVICE, gone), "{gone} orphaned");
			}
			// What the owner granted directly stays.
			assert!(Grants::<Test>::contains_key(DEVICE, STRANGER));
			assert_eq!((held(OWNER), held(MANAGER), held(READER)), (DEPOSIT, 0, 0));
			assert_eq!(GrantCount::<Test>::get(DEVICE), 1);
		});
	}

	#[test]
	fn renounce_drops_the_callers_grant_and_its_dependents() {
		test(|| {
			assert_noop!(
				AccessPallet::renounce(RuntimeOrigin::signed(MANAGER), DEVICE),
				Error::<Test>::NoGrant
			);
			assert_ok!(grant(OWNER, MANAGER, Permissions::ALL, None, None));
			assert_ok!(grant(MANAGER, GATEWAY, Permissions::WRITE, None, None));
			assert_ok!(AccessPallet::renounce(RuntimeOrigin::signed(MANAGER), DEVICE));
			assert!(!Grants::<Test>::contains_key(DEVICE, MANAGER));
			assert!(!Grants::<Test>::contains_key(DEVICE, GATEWAY));
			assert_eq!(held(OWNER) + held(MANAGER), 0);
		});
	}
}

mod cleanup {
	use super::*;

	#[test]
	fn on_idle_removes_expired_grants_and_returns_deposits_exactly() {
		test(|| {
			assert_ok!(grant(OWNER, GATEWAY, Permissions::WRITE, None, Some(5)));
			assert_ok!(grant(OWNER, READER, Permissions::READ, None, Some(8)));
			assert_ok!(grant(OWNER, STRANGER, Permissions::READ, None, None));
			assert_eq!(held(OWNER), 3 * DEPOSIT);

			// Nothing expired yet.
			AccessPallet::on_idle(4, Weight::MAX);
			assert_eq!(GrantCount::<Test>::get(DEVICE), 3);

			System::set_block_number(5);
			AccessPallet::on_idle(5, Weight::MAX);
			assert!(!Grants::<Test>::contains_key(DEVICE, GATEWAY));
			assert!(Grants::<Test>::contains_key(DEVICE, READER));
			assert_eq!(held(OWNER), 2 * DEPOSIT);
			assert!(events().contains(&Event::Expired { device_id: DEVICE, grantee: GATEWAY }));

			System::set_block_number(8);
			AccessPallet::on_idle(8, Weight::MAX);
			assert_eq!(held(OWNER), DEPOSIT);
			assert_eq!(Balances::free_balance(OWNER), ENDOWMENT - DEPOSIT);
			assert!(Grants::<Test>::contains_key(DEVICE, STRANGER));
		});
	}

	#[test]
	fn on_idle_stays_within_the_weight_and_goes_on_later() {
		test(|| {
			for grantee in 10..10 + MAX_GRANTS as u64 {
				assert_ok!(grant(OWNER, grantee, Permissions::READ, None, Some(3)));
			}
			System::set_block_number(3);
			// No weight, no work.
			assert_eq!(AccessPallet::on_idle(3, Weight::zero()), Weight::zero());
			assert_eq!(GrantCount::<Test>::get(DEVICE), MAX_GRANTS);

			// Room for two grants per block.
			let per_grant = <Test as Config>::WeightInfo::clean_up_grant();
			let overhead =
				<<Test as frame_system::Config>::DbWeight as Get<RuntimeDbWeight>>::get()
					.reads_writes(1, 1);
			let room = overhead.saturating_add(per_grant.saturating_mul(2));
			let used = AccessPallet::on_idle(3, room);
			assert!(used.all_lte(room));
			assert_eq!(GrantCount::<Test>::get(DEVICE), MAX_GRANTS - 2);
			AccessPallet::on_idle(3, room);
			assert_eq!(GrantCount::<Test>::get(DEVICE), MAX_GRANTS - 4);
			AccessPallet::on_idle(3, room);
			assert_eq!(GrantCount::<Test>::get(DEVICE), 0);
			assert_eq!(held(OWNER), 0);
		});
	}
	#[test]
	fn the_cursor_carries_the_clean_up_across_devices_within_the_per_block_cap() {
		test(|| {
			// 14 devices × 5 expiring grants: more than one block may clean up.
			let devices: Vec<DeviceId> =
				(0..14u8).map(|i| DeviceId::repeat_byte(0xa0 + i)).collect();
			Owners::mutate(|owners| owners.extend(devices.iter().map(|device| (*device, OWNER))));
			for device in &devices {
				for grantee in 10..10 + MAX_GRANTS as u64 {
					assert_ok!(AccessPallet::grant(
						RuntimeOrigin::signed(OWNER),
						*device,
						grantee,
						Permissions::READ,
						None,
						Some(3),
						None
					));
				}
			}
			let left = || devices.iter().map(GrantCount::<Test>::get).sum::<u32>();
			assert_eq!(left(), 70);
			System::set_block_number(3);

			// Whatever the weight left, one block looks at 64 grants at most, across devices,
			// and keeps its place …
			AccessPallet::on_idle(3, Weight::MAX);
			assert_eq!(left(), 70 - 64);
			assert!(CleanupCursor::<Test>::get().is_some());
			let touched = devices.iter().filter(|d| GrantCount::<Test>::get(d) < MAX_GRANTS);
			assert!(touched.count() > 1);
			// … where the next one goes on, and finishes.
			AccessPallet::on_idle(4, Weight::MAX);
			assert_eq!(left(), 0);
			assert_eq!(CleanupCursor::<Test>::get(), None);
			assert_eq!(held(OWNER), 0);
			let expired = events().iter().filter(|e| matches!(e, Event::Expired { .. })).count();
			assert_eq!(expired, 70);
		});
	}
}

mod lifecycle {
	use super::*;

	#[test]
	fn retiring_or_transferring_a_device_clears_its_grants() {
		test(|| {
			assert_ok!(grant(OWNER, MANAGER, Permissions::ALL, None, None));
			assert_ok!(grant(MANAGER, GATEWAY, Permissions::WRITE, None, None));
			assert_ok!(AccessPallet::grant(
				RuntimeOrigin::signed(OWNER),
				OTHER_DEVICE,
				READER,
				Permissions::READ,
				None,
				None,
				None
			));

			<Pallet<Test> as DeviceLifecycleHooks<_>>::on_ownership_changed(
				&DEVICE, &OWNER, &STRANGER,
			);
			assert_eq!(Grants::<Test>::iter_prefix(DEVICE).count(), 0);
			assert_eq!(held(MANAGER), 0);
			assert_eq!(held(OWNER), DEPOSIT, "the other device keeps its grant");

			<Pallet<Test> as DeviceLifecycleHooks<_>>::on_retired(&OTHER_DEVICE);
			assert_eq!(held(OWNER), 0);
			assert_eq!(GrantCount::<Test>::get(OTHER_DEVICE), 0);
		});
	}
}

mod queries {
	use super::*;

	#[test]
	fn check_access_and_grants_of() {
		test(|| {
			assert_ok!(AccessPallet::grant(
				RuntimeOrigin::signed(OWNER),
				DEVICE,
				READER,
				Permissions::READ,
				Some(STREAM),
				Some(20),
				Some([7; 32])
			));
			assert_eq!(
				AccessPallet::check_access(DEVICE, READER, STREAM, Permission::Read),
				AccessDecision { allowed: true, expires_at: Some(20), grantee_key: Some([7; 32]) }
			);
			let denied = AccessDecision { allowed: false, expires_at: None, grantee_key: None };
			assert_eq!(
				AccessPallet::check_access(DEVICE, READER, OTHER_STREAM, Permission::Read),
				denied
			);
			assert_eq!(
				AccessPallet::check_access(DEVICE, READER, STREAM, Permission::Write),
				denied
			);
			assert_eq!(
				AccessPallet::check_access(DEVICE, STRANGER, STREAM, Permission::Read),
				denied
			);
			assert!(AccessPallet::check_access(DEVICE, OWNER, STREAM, Permission::Manage).allowed);

			for grantee in [10, 11, 12] {
				assert_ok!(grant(OWNER, grantee, Permissions::READ, None, None));
			}
			let all: Vec<AccountId> =
				AccessPallet::grants_of(DEVICE, None, 100).into_iter().map(|(a, _)| a).collect();
			assert_eq!(all.len(), 4);
			let first_page: Vec<AccountId> =
				AccessPallet::grants_of(DEVICE, None, 2).into_iter().map(|(a, _)| a).collect();
			let second_page: Vec<AccountId> =
				AccessPallet::grants_of(DEVICE, Some(first_page[1]), 2)
					.into_iter()
					.map(|(a, _)| a)
					.collect();
			assert_eq!([first_page, second_page].concat(), all);
		});
	}
}

/// The tree of grants: no grant escapes the cascade by being re-issued from below.
mod tree {
	use super::*;
	const PEER: AccountId = READER;

	/// Attack 2: a manager re-grants itself its own scope, so its grant no longer derives from
	/// the manager that made it.
	#[test]
	fn attack_a_manager_regrants_itself_and_escapes_the_cascade() {
		test(|| {
			assert_ok!(grant(OWNER, MANAGER, Permissions::ALL, None, None));
			assert_ok!(grant(MANAGER, GATEWAY, Permissions::ALL, None, None));
			assert_noop!(
				grant(GATEWAY, GATEWAY, Permissions::ALL, None, None),
				Error::<Test>::CircularGrant
			);
			assert_ok!(AccessPallet::revoke(RuntimeOrigin::signed(OWNER), DEVICE, MANAGER));
			assert!(Grants::<Test>::get(DEVICE, GATEWAY).is_none(), "nothing derived remains");
		});
	}

	/// Attack 2, variant: two managers re-grant each other.
	#[test]
	fn attack_two_managers_regrant_each_other() {
		test(|| {
			assert_ok!(grant(OWNER, MANAGER, Permissions::ALL, None, None));
			assert_ok!(grant(MANAGER, GATEWAY, Permissions::ALL, None, None));
			assert_ok!(grant(MANAGER, PEER, Permissions::ALL, None, None));
			// Siblings may replace each other's grant (each could have made it) …
			assert_ok!(grant(GATEWAY, PEER, Permissions::ALL, None, None));
			assert_eq!(Grants::<Test>::get(DEVICE, PEER).unwrap().granted_by, GATEWAY);
			// … but not close the loop: PEER's grant now derives from GATEWAY's.
			assert_noop!(
				grant(PEER, GATEWAY, Permissions::ALL, None, None),
				Error::<Test>::CircularGrant
			);
			// Nor reach up to the grant they derive from.
			assert_noop!(
				grant(PEER, MANAGER, Permissions::ALL, None, None),
				Error::<Test>::CircularGrant
			);
			assert_ok!(AccessPallet::revoke(RuntimeOrigin::signed(OWNER), DEVICE, MANAGER));
			assert_eq!(Grants::<Test>::iter_prefix(DEVICE).count(), 0, "nothing derived remains");
			assert_eq!(Dependents::<Test>::iter().count(), 0);
			assert_eq!((held(OWNER), held(MANAGER), held(GATEWAY)), (0, 0, 0));
		});
	}

	#[test]
	fn the_owner_may_replace_any_grant_and_its_subtree_goes() {
		test(|| {
			assert_ok!(grant(OWNER, MANAGER, Permissions::ALL, None, None));
			assert_ok!(grant(MANAGER, GATEWAY, Permissions::ALL, None, None));
			assert_ok!(grant(GATEWAY, PEER, Permissions::READ, None, None));
			assert_ok!(grant(OWNER, MANAGER, Permissions::READ, None, None));
			assert_eq!(Grants::<Test>::iter_prefix(DEVICE).count(), 1);
			assert_eq!(Grants::<Test>::get(DEVICE, MANAGER).unwrap().granted_by, OWNER);
		});
	}

	#[test]
	fn a_cascade_refunds_the_weight_it_did_not_use() {
		test(|| {
			assert_ok!(grant(OWNER, MANAGER, Permissions::ALL, None, None));
			assert_ok!(grant(MANAGER, GATEWAY, Permissions::READ, None, None));
			let info = AccessPallet::revoke(RuntimeOrigin::signed(OWNER), DEVICE, MANAGER).unwrap();
			assert_eq!(info.actual_weight, Some(<Weights as WeightInfo>::revoke(2)));
			assert!(<Weights as WeightInfo>::revoke(2)
				.all_lt(<Weights as WeightInfo>::revoke(MAX_GRANTS)));
		});
	}
}

/// Random sequences of calls from random origins keep every invariant.
mod properties {
	use super::*;
	use proptest::prelude::*;

	#[derive(Clone, Debug)]
	enum Action {
		Grant {
			device: bool,
			by: AccountId,
			to: AccountId,
			permissions: u8,
			stream: Option<StreamId>,
			expires_in: Option<u8>,
		},
		Revoke {
			device: bool,
			by: AccountId,
			grantee: AccountId,
		},
		Renounce {
			device: bool,
			who: AccountId,
		},
		Advance {
			blocks: u8,
		},
		Idle {
			grants: u8,
		},
		DeviceGone {
			device: bool,
		},
	}

	fn device(other: bool) -> DeviceId {
		if other {
			OTHER_DEVICE
		} else {
			DEVICE
		}
	}

	fn action() -> impl Strategy<Value = Action> {
		let account = 1u64..=5;
		prop_oneof![
			4 => (
				any::<bool>(),
				account.clone(),
				account.clone(),
				0u8..9,
				prop::option::of(7u32..9),
				prop::option::of(1u8..20),
			)
				.prop_map(|(device, by, to, permissions, stream, expires_in)| Action::Grant {
					device,
					by,
					to,
					permissions,
					stream,
					expires_in
				}),
			2 => (any::<bool>(), account.clone(), account.clone())
				.prop_map(|(device, by, grantee)| Action::Revoke { device, by, grantee }),
			1 => (any::<bool>(), account).prop_map(|(device, who)| Action::Renounce { device, who }),
			1 => (1u8..10).prop_map(|blocks| Action::Advance { blocks }),
			1 => (0u8..6).prop_map(|grants| Action::Idle { grants }),
			1 => any::<bool>().prop_map(|device| Action::DeviceGone { device }),
		]
	}

	fn apply(action: Action) {
		let now = System::block_number();
		// Results are not asserted: any call may fail, but none may panic or break an
		// invariant (checked after each one).
		let _ = match action {
			Action::Grant { device: d, by, to, permissions, stream, expires_in } => {
				AccessPallet::grant(
					RuntimeOrigin::signed(by),
					device(d),
					to,
					Permissions(permissions),
					stream,
					expires_in.map(|e| now + u64::from(e)),
					None,
				)
				.map(|_| ())
			},
			Action::Revoke { device: d, by, grantee } => {
				AccessPallet::revoke(RuntimeOrigin::signed(by), device(d), grantee).map(|_| ())
			},
			Action::Renounce { device: d, who } => {
				AccessPallet::renounce(RuntimeOrigin::signed(who), device(d)).map(|_| ())
			},
			Action::Advance { blocks } => {
				System::set_block_number(now + u64::from(blocks));
				Ok(())
			},
			Action::Idle { grants } => {
				let per_grant = <Weights as WeightInfo>::clean_up_grant();
				let overhead: Weight =
					<<Test as frame_system::Config>::DbWeight as Get<RuntimeDbWeight>>::get()
						.reads_writes(1, 1);
				let budget = overhead.saturating_add(per_grant.saturating_mul(grants.into()));
				AccessPallet::on_idle(now, budget);
				Ok(())
			},
			Action::DeviceGone { device: d } => {
				// The device changes hands (grants go) and comes back to OWNER, as the
				// registry would report it.
				<AccessPallet as DeviceLifecycleHooks<AccountId>>::on_ownership_changed(
					&device(d),
					&OWNER,
					&OWNER,
				);
				Ok(())
			},
		};
	}

	proptest! {
		#![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

		#[test]
		fn random_calls_from_random_origins_keep_the_invariants(
			actions in prop::collection::vec(action(), 1..60)
		) {
			new_test_ext().execute_with(|| {
				for action in actions {
					apply(action.clone());
					if let Err(e) = AccessPallet::do_try_state() {
						panic!("after {action:?}: {e:?}");
					}
				}
			});
		}
	}
}
