//! The client's typed API is generated from `metadata/iotchain.scale`; it must be the metadata of
//! the runtime in this checkout, or calls would be encoded for another runtime.
//!
//! After changing the runtime, refresh the file with
//! `IOTCHAIN_UPDATE_METADATA=1 cargo test --release --workspace --test metadata_file`.

use iotchain_runtime::Runtime;
use std::path::Path;

#[test]
fn committed_metadata_is_the_runtimes() {
	let current = Runtime::metadata_at_version(16).expect("the runtime serves metadata v16");
	let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("metadata/iotchain.scale");
	if std::env::var_os("IOTCHAIN_UPDATE_METADATA").is_some() {
		std::fs::write(&path, &current[..]).expect("metadata file is writable");
	}
	let committed = std::fs::read(&path).expect("metadata file exists");
	assert!(
		committed == current[..],
		"{} is not the runtime's metadata: refresh it with \
		 `IOTCHAIN_UPDATE_METADATA=1 cargo test --release --workspace --test metadata_file`",
		path.display()
	);
}
