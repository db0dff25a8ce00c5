//! Lambda fix: active X-Ray tracing.

use aws_sdk_lambda::types::{TracingConfig, TracingMode};

use super::{failed, Fix};
use crate::aws::session::Session;
use crate::model::Properties;
use crate::remediate::{Decision, FixTarget};

pub const TRACING: Fix = Fix {
    id: "lambda-tracing",
    permissions: |_| &["lambda:GetFunction", "lambda:UpdateFunctionConfiguration"],
    decide: |before, _, _| {
        let mode = match before {
            Properties::LambdaFunction(f) => f.tracing_mode.as_str(),
            _ => "unknown",
        };
        Decision::Change(format!(
            "UpdateFunctionConfiguration: TracingConfig {mode} → Active (the function's role \
             needs xray:PutTraceSegments and xray:PutTelemetryRecords)"
        ))
    },
    apply: |session, target, _, _| Box::pin(activate_tracing(session, target)),
};

async fn activate_tracing(session: &Session, target: &FixTarget) -> Result<(), String> {
    aws_sdk_lambda::Client::new(&session.regional(&target.region))
        .update_function_configuration()
        .function_name(&target.resource_id)
        .tracing_config(TracingConfig::builder().mode(TracingMode::Active).build())
        .send()
        .await
        .map(drop)
        .map_err(failed("UpdateFunctionConfiguration"))
}
