//! The gateway's Prometheus metrics, served at `GET /metrics` of its HTTP API.

use prometheus::{
	Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
	TextEncoder,
};

/// What the gateway counts.
pub struct Metrics {
	registry: Registry,
	/// Readings received and stored (redeliveries not counted twice).
	pub received: IntCounter,
	/// Readings anchored on chain.
	pub anchored: IntCounter,
	/// Readings stored and not yet anchored.
	pub pending: IntGauge,
	/// The number of the block the last batch was anchored in.
	pub last_anchored_block: IntGauge,
	/// 1 while the gateway is connected to the broker and subscribed, else 0.
	pub broker_connected: IntGauge,
	/// Seconds to store (and commit) a group of received readings, before they are acknowledged.
	pub store_seconds: Histogram,
	/// Seconds from submitting a batch to its block.
	pub anchor_seconds: Histogram,
	/// Failures, by `kind`: `anchor` (the chain refused or failed a batch), `chain` (the node
	/// could not be reached), `broker` (the MQTT connection dropped).
	pub errors: IntCounterVec,
}

impl Metrics {
	/// The metrics, registered under the `iotchain_gateway_` prefix.
	pub fn new() -> Self {
		let registry =
			Registry::new_custom(Some("iotchain_gateway".into()), None).expect("a valid prefix");
		let received =
			IntCounter::new("readings_received_total", "Readings received and stored").unwrap();
		let anchored = IntCounter::new("readings_anchored_total", "Readings anchored").unwrap();
		let pending =
			IntGauge::new("readings_pending", "Readings stored, not yet anchored").unwrap();
		let last_anchored_block =
			IntGauge::new("last_anchored_block", "Block of the last anchored batch").unwrap();
		let broker_connected =
			IntGauge::new("broker_connected", "1 while connected and subscribed").unwrap();
		let store_seconds = Histogram::with_opts(
			HistogramOpts::new("store_seconds", "Seconds to store a group of readings")
				.buckets(prometheus::exponential_buckets(0.000_1, 2.0, 16).unwrap()),
		)
		.unwrap();
		let anchor_seconds = Histogram::with_opts(
			HistogramOpts::new("anchor_seconds", "Seconds from submitting a batch to its block")
				.buckets(prometheus::exponential_buckets(0.25, 2.0, 10).unwrap()),
		)
		.unwrap();
		let errors =
			IntCounterVec::new(Opts::new("errors_total", "Failures by kind"), &["kind"]).unwrap();
		for metric in [&received, &anchored] {
			registry.register(Box::new(metric.clone())).expect("unique names");
		}
		for metric in [&pending, &last_anchored_block, &broker_connected] {
			registry.register(Box::new(metric.clone())).expect("unique names");
		}
		for metric in [&store_seconds, &anchor_seconds] {
			registry.register(Box::new(metric.clone())).expect("unique names");
		}
		registry.register(Box::new(errors.clone())).expect("unique names");
		for kind in ["anchor", "chain", "broker"] {
			errors.with_label_values(&[kind]);
		}
		Self {
			registry,
			received,
			anchored,
			pending,
			last_anchored_block,
			broker_connected,
			store_seconds,
			anchor_seconds,
			errors,
		}
	}

	/// Counts one failure of `kind`.
	pub fn error(&self, kind: &str) {
		self.errors.with_label_values(&[kind]).inc();
	}

	/// The metrics in Prometheus' text format.
	pub fn render(&self) -> String {
		let mut text = Vec::new();
		// Encoding into a `Vec` cannot fail for these metric types.
		let _ = TextEncoder::new().encode(&self.registry.gather(), &mut text);
		String::from_utf8(text).unwrap_or_default()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn every_metric_is_rendered_with_its_prefix() {
		let metrics = Metrics::new();
		metrics.received.inc_by(3);
		metrics.pending.set(2);
		metrics.error("chain");
		let text = metrics.render();
		assert!(text.contains("iotchain_gateway_readings_received_total 3"), "{text}");
		assert!(text.contains("iotchain_gateway_readings_anchored_total 0"), "{text}");
		assert!(text.contains("iotchain_gateway_readings_pending 2"), "{text}");
		assert!(text.contains("iotchain_gateway_last_anchored_block 0"), "{text}");
		assert!(text.contains("iotchain_gateway_errors_total{kind=\"chain\"} 1"), "{text}");
		assert!(text.contains("iotchain_gateway_errors_total{kind=\"broker\"} 0"), "{text}");
		assert!(text.contains("iotchain_gateway_broker_connected 0"), "{text}");
		assert!(text.contains("iotchain_gateway_store_seconds_count 0"), "{text}");
		assert!(text.contains("iotchain_gateway_anchor_seconds_count 0"), "{text}");
	}
}
