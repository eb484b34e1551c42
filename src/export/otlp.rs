//! Pushing the same metrics to an OpenTelemetry collector over OTLP/HTTP
//! (protobuf), with the OpenTelemetry project's SDK and exporter.
//!
//! Each metric is an observable instrument whose callback reads the shared
//! [`MetricState`](super::metrics::MetricState) at collection time, so the
//! pushed values are exactly what `/metrics` shows. The SDK's periodic
//! reader collects and exports on a thread of its own (every 60 s, or
//! `OTEL_METRIC_EXPORT_INTERVAL` ms); the exporter retries a failed push
//! with exponential backoff. Neither ever blocks the dashboard. With no
//! `--otlp-endpoint`, none of this exists and nothing wakes the process.

use super::metrics::{Kind, Metric, SharedState};
use crate::record::Millis;
use crate::settings::UserError;
use opentelemetry::KeyValue;
use opentelemetry::metrics::{Meter, MeterProvider as _};
use opentelemetry_otlp::{MetricExporter, Protocol, RetryPolicy, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::{
    Instrument, PeriodicReader, SdkMeterProvider, Stream, Temporality,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Where pushes go: the `--otlp-endpoint` URL, or (given without a value)
/// whatever the `OTEL_EXPORTER_OTLP_*` variables say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Url(String),
    FromEnvironment,
}

impl Target {
    /// The flag's value: empty means "from the environment".
    pub fn from_flag(value: &str) -> Target {
        if value.trim().is_empty() {
            Target::FromEnvironment
        } else {
            Target::Url(value.trim().to_owned())
        }
    }

    /// The metrics URL for a base endpoint, as `OTEL_EXPORTER_OTLP_ENDPOINT`
    /// is read: `/v1/metrics` is added unless the URL already ends in it.
    fn metrics_url(base: &str) -> String {
        let base = base.trim_end_matches('/');
        if base.ends_with("/v1/metrics") {
            base.to_owned()
        } else {
            format!("{base}/v1/metrics")
        }
    }
}

/// Says something to the user: on stderr, or in the dashboard's status line.
pub type Say = std::sync::Arc<dyn Fn(String) + Send + Sync>;

/// A running push; dropping it makes one last push (bounded in time).
pub struct OtlpPush {
    provider: SdkMeterProvider,
    /// Keeps the instruments (and their callbacks) registered.
    _meter: Meter,
}

/// No series is ever dropped for being one too many: ccwatch's own idle
/// timeout is what bounds the number of sessions.
const CARDINALITY_LIMIT: usize = 1_000_000;

impl OtlpPush {
    pub fn start(
        target: &Target,
        metrics: SharedState,
        idle_timeout_ms: Millis,
        say: Say,
    ) -> Result<OtlpPush, UserError> {
        let mut builder = MetricExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_retry_policy(
                RetryPolicy::recommended()
                    .with_max_retries(4)
                    .with_max_delay(Duration::from_secs(4)),
            )
            .with_temporality(Temporality::Cumulative);
        let shown = match target {
            Target::Url(url) => {
                let url = Target::metrics_url(url);
                builder = builder.with_endpoint(url.clone());
                url
            }
            Target::FromEnvironment => "the OTEL_EXPORTER_OTLP_* endpoint".to_owned(),
        };
        let exporter = builder
            .build()
            .map_err(|e| UserError(format!("cannot push metrics to {shown}: {e}")))?;
        let reporting = Reporting {
            inner: exporter,
            endpoint: shown,
            failing: AtomicBool::new(false),
            say,
        };
        let resource = Resource::builder()
            .with_service_name("ccwatch")
            .with_attributes([
                KeyValue::new("service.version", env!("CARGO_PKG_VERSION")),
                KeyValue::new("host.name", host_name()),
            ])
            .build();
        let provider = SdkMeterProvider::builder()
            .with_resource(resource)
            .with_reader(PeriodicReader::builder(reporting).build())
            .with_view(|_: &Instrument| {
                Stream::builder()
                    .with_cardinality_limit(CARDINALITY_LIMIT)
                    .build()
                    .ok()
            })
            .build();
        let meter = provider.meter("ccwatch");
        for metric in Metric::ALL {
            register(&meter, metric, metrics.clone(), idle_timeout_ms);
        }
        Ok(OtlpPush {
            provider,
            _meter: meter,
        })
    }
}

impl Drop for OtlpPush {
    fn drop(&mut self) {
        let _ = self.provider.shutdown_with_timeout(Duration::from_secs(2));
    }
}

fn host_name() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

/// One observable instrument for `metric`, reading the shared state.
fn register(meter: &Meter, metric: Metric, state: SharedState, idle_timeout_ms: Millis) {
    // The samples of `metric` now, with their labels as OTel attributes.
    let read = move || -> Vec<(f64, Vec<KeyValue>)> {
        let now = chrono::Utc::now().timestamp_millis();
        let Ok(state) = state.lock() else {
            return Vec::new();
        };
        state
            .samples(now, idle_timeout_ms)
            .into_iter()
            .filter(|s| s.metric == metric)
            .map(|s| {
                let attributes = s
                    .labels
                    .into_iter()
                    .map(|(label, value)| KeyValue::new(label.otel_key(), value))
                    .collect();
                (s.value, attributes)
            })
            .collect()
    };
    let (name, unit, help) = (metric.otel_name(), metric.unit(), metric.help());
    // The four instrument builders differ only in their number type.
    macro_rules! observable {
        ($builder:ident, $number:ty) => {
            meter
                .$builder(name)
                .with_unit(unit)
                .with_description(help)
                .with_callback(move |o| {
                    for (v, attrs) in read() {
                        o.observe(v as $number, &attrs);
                    }
                })
                .build()
        };
    }
    match (metric.kind(), metric.is_float()) {
        (Kind::Counter, false) => drop(observable!(u64_observable_counter, u64)),
        (Kind::Counter, true) => drop(observable!(f64_observable_counter, f64)),
        (Kind::Gauge, false) => drop(observable!(u64_observable_gauge, u64)),
        (Kind::Gauge, true) => drop(observable!(f64_observable_gauge, f64)),
    }
}

/// The OTLP exporter, saying once when pushes start failing and once when
/// they work again, instead of on every attempt.
struct Reporting {
    inner: MetricExporter,
    endpoint: String,
    failing: AtomicBool,
    say: Say,
}

impl PushMetricExporter for Reporting {
    async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        let result = self.inner.export(metrics).await;
        let was_failing = self.failing.swap(result.is_err(), Ordering::SeqCst);
        match &result {
            Err(e) if !was_failing => (self.say)(format!(
                "cannot push metrics to {} ({e}); retrying",
                self.endpoint
            )),
            Ok(()) if was_failing => {
                (self.say)(format!("pushing metrics to {} again", self.endpoint))
            }
            _ => {}
        }
        result
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn temporality(&self) -> Temporality {
        self.inner.temporality()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_endpoint_gets_the_metrics_path_once() {
        assert_eq!(
            Target::metrics_url("http://localhost:4318"),
            "http://localhost:4318/v1/metrics"
        );
        assert_eq!(
            Target::metrics_url("http://collector:4318/"),
            "http://collector:4318/v1/metrics"
        );
        assert_eq!(
            Target::metrics_url("https://otel.example/v1/metrics"),
            "https://otel.example/v1/metrics"
        );
    }

    #[test]
    fn an_empty_flag_means_the_environment() {
        assert_eq!(Target::from_flag(""), Target::FromEnvironment);
        assert_eq!(
            Target::from_flag("http://c:4318"),
            Target::Url("http://c:4318".into())
        );
    }
}
