//! Which templates a `--template PATH` names: the file itself; every template under a
//! directory; or, for a CDK cloud assembly (`cdk.out`: a `manifest.json`, and a
//! `cdk.out` version file), the template of every `aws:cloudformation:stack` artifact,
//! those of nested assemblies (CDK stages) too. Nested stacks are followed by `read`'s
//! caller from their `aws:asset:path`.

use std::path::{Path, PathBuf};

/// A template file to read, and what the CDK manifest says of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub path: PathBuf,
    /// The region the CDK stack's environment names, when it names one.
    pub region: Option<String>,
}

/// The templates under `path`, in a stable order.
pub fn find(path: &Path) -> Result<Vec<Found>, String> {
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {}: {}", path.display(), reason(&e)))?;
    if !meta.is_dir() {
        return Ok(vec![Found {
            path: path.to_path_buf(),
            region: None,
        }]);
    }
    if path.join("manifest.json").is_file() || path.join("cdk.out").is_file() {
        return assembly(path);
    }
    let mut out = Vec::new();
    walk(path, &mut out)?;
    if out.is_empty() {
        return Err(format!(
            "{} holds no template (.yaml, .yml, .json or .template file with Resources)",
            path.display()
        ));
    }
    Ok(out)
}

fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Template-like files under a plain directory: YAML or JSON naming `Resources`.
fn walk(dir: &Path, out: &mut Vec<Found>) -> Result<(), String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {}", dir.display(), reason(&e)))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name == "node_modules" || name == "target" {
            continue;
        }
        if path.is_dir() {
            if path.join("manifest.json").is_file() && path.join("cdk.out").is_file() {
                out.extend(assembly(&path)?);
            } else {
                walk(&path, out)?;
            }
            continue;
        }
        let templated = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json" | "template")
        );
        if templated && looks_like_template(&path) {
            out.push(Found { path, region: None });
        }
    }
    Ok(())
}

/// A file in a directory is taken for a template when it declares resources; other
/// YAML and JSON (workflows, configuration) is left alone.
fn looks_like_template(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|text| {
        text.contains("AWSTemplateFormatVersion")
            || (text.contains("Resources") && text.contains("AWS::"))
    })
}

/// The stack templates of a CDK cloud assembly.
fn assembly(dir: &Path) -> Result<Vec<Found>, String> {
    let manifest_path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&manifest_path).map_err(|_| {
        format!(
            "{} is a CDK cloud assembly without a manifest.json",
            dir.display()
        )
    })?;
    let manifest: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}: line {} column {}: not valid JSON: {e}",
            manifest_path.display(),
            e.line(),
            e.column()
        )
    })?;
    let Some(artifacts) = manifest.get("artifacts").and_then(|a| a.as_object()) else {
        return Err(format!(
            "{} lists no artifacts: is it a CDK manifest?",
            manifest_path.display()
        ));
    };
    let mut out = Vec::new();
    for (name, artifact) in artifacts {
        let kind = artifact.get("type").and_then(|t| t.as_str()).unwrap_or("");
        let property = |key: &str| {
            artifact
                .pointer(&format!("/properties/{key}"))
                .and_then(|v| v.as_str())
        };
        match kind {
            "aws:cloudformation:stack" => {
                let file = property("templateFile").ok_or_else(|| {
                    format!(
                        "{}: the stack {name} names no templateFile",
                        manifest_path.display()
                    )
                })?;
                let region = artifact
                    .get("environment")
                    .and_then(|e| e.as_str())
                    .and_then(|e| e.rsplit('/').next())
                    .filter(|r| !r.is_empty() && *r != "unknown-region")
                    .map(str::to_string);
                out.push(Found {
                    path: dir.join(file),
                    region,
                });
            }
            "cdk:cloud-assembly" => {
                if let Some(sub) = property("directoryName") {
                    out.extend(assembly(&dir.join(sub))?);
                }
            }
            _ => {}
        }
    }
    if out.is_empty() {
        return Err(format!(
            "{} names no CloudFormation stack",
            manifest_path.display()
        ));
    }
    Ok(out)
}
