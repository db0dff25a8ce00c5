//! `--parameters-file`: template parameter values as the AWS CLI takes them
//! (`[{"ParameterKey": "K", "ParameterValue": "V"}]`) or as a CodePipeline template
//! configuration file (`{"Parameters": {"K": "V"}}`).

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(untagged)]
enum File {
    Cli(Vec<CliParameter>),
    Pipeline {
        #[serde(rename = "Parameters")]
        parameters: BTreeMap<String, String>,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CliParameter {
    parameter_key: String,
    /// Absent with `UsePreviousValue`, which only a deployed stack has.
    #[serde(default)]
    parameter_value: Option<String>,
}

/// The values in `text` (shown as `file`), or one sentence saying what is wrong.
pub fn parse(file: &str, text: &str) -> Result<BTreeMap<String, String>, String> {
    let parsed: File = serde_json::from_str(text).map_err(|_| {
        format!(
            "{file} is not a parameters file: expected [{{\"ParameterKey\": …, \"ParameterValue\": …}}] or {{\"Parameters\": {{KEY: VALUE}}}}"
        )
    })?;
    Ok(match parsed {
        File::Pipeline { parameters } => parameters,
        File::Cli(list) => list
            .into_iter()
            .filter_map(|p| Some((p.parameter_key, p.parameter_value?)))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_shapes_are_read_and_anything_else_refused() {
        let cli = parse(
            "p.json",
            r#"[{"ParameterKey": "Env", "ParameterValue": "prod"}]"#,
        );
        assert_eq!(cli.unwrap()["Env"], "prod");
        let pipeline = parse("p.json", r#"{"Parameters": {"Env": "dev"}, "Tags": {}}"#);
        assert_eq!(pipeline.unwrap()["Env"], "dev");
        let err = parse("p.json", r#"{"Env": "dev"}"#).unwrap_err();
        assert!(err.starts_with("p.json is not a parameters file"), "{err}");
    }
}
