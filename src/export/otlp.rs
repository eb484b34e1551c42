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

use super::cycle::SampleCycle;
use super::metrics::{Kind, Metric, SharedState};
use crate::cli::PushArgs;
use crate::error::UserError;
use crate::record::Millis;
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
use std::sync::Arc;
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
    /// What `--otlp-endpoint URL` / `--otlp` ask for, if anything.
    pub fn from_args(args: &PushArgs) -> Option<Target> {
        match &args.otlp_endpoint {
            Some(url) => Some(Target::Url(url.trim().to_owned())),
            None if args.otlp => Some(Target::FromEnvironment),
            None => None,
        }
    }

    /// Refuse, in one sentence, what would fail on every push: ccwatch
    /// speaks OTLP over plain HTTP with protobuf only (no TLS, no gRPC),
    /// and an export interval it cannot read would silently become 60 s.
    fn check(&self, env: impl Fn(&str) -> Option<String>) -> Result<(), String> {
        let url = match self {
            Target::Url(url) => Some(url.clone()),
            Target::FromEnvironment => {
                for var in [
                    "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
                    "OTEL_EXPORTER_OTLP_PROTOCOL",
                ] {
                    if let Some(p) = env(var).filter(|p| !p.trim().is_empty()) {
                        if p.trim() != "http/protobuf" {
                            return Err(format!(
                                "{var} is {p:?}, but ccwatch pushes OTLP over HTTP with protobuf; \
                                 give --otlp-endpoint http://HOST:4318"
                            ));
                        }
                        break;
                    }
                }
                env("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")
                    .or_else(|| env("OTEL_EXPORTER_OTLP_ENDPOINT"))
                    .filter(|u| !u.trim().is_empty())
            }
        };
        if let Some(url) = url
            && url.trim().to_ascii_lowercase().starts_with("https:")
        {
            return Err(format!(
                "cannot push metrics to {url}: ccwatch speaks plain HTTP only; push to a \
                 local OpenTelemetry Collector (http://) that forwards over TLS"
            ));
        }
        if let Some(ms) = env("OTEL_METRIC_EXPORT_INTERVAL")
            && !ms.trim().parse::<u64>().is_ok_and(|n| n > 0)
        {
            return Err(format!(
                "OTEL_METRIC_EXPORT_INTERVAL is {ms:?}; it wants milliseconds, such as 60000"
            ));
        }
        Ok(())
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
    health: Arc<Health>,
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
        target
            .check(|var| std::env::var(var).ok())
            .map_err(UserError)?;
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
        let health = Arc::new(Health::default());
        let reporting = Reporting {
            inner: exporter,
            endpoint: shown,
            health: health.clone(),
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
        // One walk of the state per collection, shared by the instruments.
        let cycle = Arc::new(SampleCycle::default());
        for metric in Metric::ALL {
            let read = reader(metric, metrics.clone(), cycle.clone(), idle_timeout_ms);
            register(&meter, metric, read);
        }
        Ok(OtlpPush {
            provider,
            health,
            _meter: meter,
        })
    }
}

impl Drop for OtlpPush {
    /// One last push of the final numbers, unless the collector was not
    /// answering: then quitting does not wait for its retries.
    fn drop(&mut self) {
        self.health.closing.store(true, Ordering::SeqCst);
        let _ = self.provider.shutdown_with_timeout(Duration::from_secs(2));
    }
}

/// How pushes are going, shared between the exporter and its owner.
#[derive(Default)]
struct Health {
    failing: AtomicBool,
    closing: AtomicBool,
}

fn host_name() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

/// The samples one metric's callback observes, with their labels as OTel
/// attributes: taken from the collection's one walk of the shared state.
fn reader(
    metric: Metric,
    state: SharedState,
    cycle: Arc<SampleCycle<Metric, Observation>>,
    idle_timeout_ms: Millis,
) -> impl Fn() -> Vec<Observation> + Send + Sync + 'static {
    move || {
        cycle.take(metric, || {
            let now = chrono::Utc::now().timestamp_millis();
            let Ok(state) = state.lock() else {
                return Vec::new();
            };
            state
                .samples(now, idle_timeout_ms)
                .into_iter()
                .map(|s| {
                    let attributes = s
                        .labels
                        .into_iter()
                        .map(|(label, value)| KeyValue::new(label.otel_key(), value))
                        .collect();
                    (s.metric, (s.value, attributes))
                })
                .collect()
        })
    }
}

/// A value and its attributes, as an instrument observes it.
type Observation = (f64, Vec<KeyValue>);

/// One observable instrument for `metric`, observing what `read` returns.
fn register(
    meter: &Meter,
    metric: Metric,
    read: impl Fn() -> Vec<Observation> + Send + Sync + 'static,
) {
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
    health: Arc<Health>,
    say: Say,
}

impl PushMetricExporter for Reporting {
    async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        let health = &self.health;
        if health.closing.load(Ordering::SeqCst) && health.failing.load(Ordering::SeqCst) {
            return Ok(());
        }
        let result = self.inner.export(metrics).await;
        let was_failing = health.failing.swap(result.is_err(), Ordering::SeqCst);
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

    fn env<'a>(vars: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |key| {
            vars.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn what_would_fail_on_every_push_is_refused_up_front() {
        let url = |u: &str| Target::Url(u.to_owned());
        assert!(url("http://c:4318").check(env(&[])).is_ok());
        let tls = url("https://otel.example").check(env(&[])).unwrap_err();
        assert!(tls.contains("plain HTTP"), "{tls}");
        let from_env = Target::FromEnvironment;
        assert!(from_env.check(env(&[])).is_ok());
        let grpc = [("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")];
        let said = from_env.check(env(&grpc)).unwrap_err();
        assert!(
            said.starts_with("OTEL_EXPORTER_OTLP_PROTOCOL is \"grpc\""),
            "{said}"
        );
        // The metrics-specific variable wins over the general one.
        let both = [
            ("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/protobuf"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ];
        assert!(from_env.check(env(&both)).is_ok());
        // A URL given on the command line is spoken to over HTTP anyway.
        assert!(url("http://c:4318").check(env(&grpc)).is_ok());
        let tls_env = [("OTEL_EXPORTER_OTLP_ENDPOINT", "https://x:4318")];
        assert!(from_env.check(env(&tls_env)).is_err());
        for bad in ["5s", "0", ""] {
            let interval = [("OTEL_METRIC_EXPORT_INTERVAL", bad)];
            assert!(url("http://c").check(env(&interval)).is_err(), "{bad:?}");
        }
        let interval = [("OTEL_METRIC_EXPORT_INTERVAL", "5000")];
        assert!(url("http://c").check(env(&interval)).is_ok());
    }

    #[test]
    fn the_flags_choose_the_target() {
        let args = |endpoint: Option<&str>, otlp| PushArgs {
            otlp_endpoint: endpoint.map(str::to_owned),
            otlp,
        };
        assert_eq!(Target::from_args(&args(None, false)), None);
        assert_eq!(
            Target::from_args(&args(None, true)),
            Some(Target::FromEnvironment)
        );
        assert_eq!(
            Target::from_args(&args(Some("http://c:4318"), true)),
            Some(Target::Url("http://c:4318".into()))
        );
    }
}
