//! The logic of the calls, one module per topic. Each `do_*` function checks the caller's
//! rights and the device's state, then changes storage and emits the event.

mod keys;
mod lifecycle;
mod metadata;
mod ownership;
mod registration;
mod statements;
