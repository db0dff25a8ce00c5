//! CloudFormation: describe, create, update, preview (change sets), wait while printing
//! the stack's events, explain failures, delete. Knows nothing of what the template holds.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use aws_sdk_cloudformation::types::{Capability, ChangeSetType, Parameter, StackEvent, Tag};
use aws_sdk_cloudformation::Client;
use chrono::{DateTime, Utc};

use super::errors::CallError;
use super::session::Session;

/// A stack parameter; parameters left out take the template's default.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub key: &'static str,
    pub value: String,
}

/// What a stack looks like now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StackState {
    pub status: String,
    pub reason: Option<String>,
    pub outputs: BTreeMap<String, String>,
    pub parameters: BTreeMap<String, String>,
}

impl StackState {
    pub fn in_progress(&self) -> bool {
        self.status.ends_with("_IN_PROGRESS")
    }

    /// A finished create or update (not a rollback).
    pub fn succeeded(&self) -> bool {
        matches!(
            self.status.as_str(),
            "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "IMPORT_COMPLETE"
        )
    }
}

/// A resource that failed, from the stack's events.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    pub reason: String,
}

/// One change a deploy would make.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlannedChange {
    pub action: String,
    pub logical_id: String,
    pub resource_type: String,
    /// `True`, `False` or `Conditional`, for modifications.
    pub replacement: Option<String>,
}

/// Whether an update changed anything.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Update {
    Started,
    NothingToDo,
}

/// One named stack.
pub struct Stack {
    client: Client,
    pub name: String,
    poll: Duration,
}

impl Stack {
    pub fn new(session: &Session, name: &str) -> Stack {
        Stack {
            client: Client::new(&session.config),
            name: name.to_string(),
            poll: Duration::from_secs(3),
        }
    }

    /// The name of the stack's report bucket, or one sentence saying why there is none
    /// (`report --suffix` reads it, `remediate --suffix` writes its audit there).
    pub async fn report_bucket(&self) -> Result<String, String> {
        let state = self
            .describe()
            .await
            .map_err(|e| format!("cannot read stack {}: {e}", self.name))?
            .ok_or_else(|| format!("stack {} does not exist: deploy it first", self.name))?;
        state
            .outputs
            .get("ReportBucketName")
            .cloned()
            .filter(|b| !b.is_empty())
            .ok_or_else(|| format!("stack {} has no ReportBucketName output", self.name))
    }

    /// The stack, or `None` when it does not exist.
    pub async fn describe(&self) -> Result<Option<StackState>, CallError> {
        let out = match self
            .client
            .describe_stacks()
            .stack_name(&self.name)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                let e = CallError::from(e);
                return if e.code == "ValidationError" && e.message.contains("does not exist") {
                    Ok(None)
                } else {
                    Err(e)
                };
            }
        };
        let Some(stack) = out.stacks().first() else {
            return Ok(None);
        };
        let pairs = |items: Vec<(Option<&str>, Option<&str>)>| -> BTreeMap<String, String> {
            items
                .into_iter()
                .filter_map(|(k, v)| Some((k?.to_string(), v.unwrap_or_default().to_string())))
                .collect()
        };
        Ok(Some(StackState {
            status: stack
                .stack_status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            reason: stack.stack_status_reason().map(str::to_string),
            outputs: pairs(
                stack
                    .outputs()
                    .iter()
                    .map(|o| (o.output_key(), o.output_value()))
                    .collect(),
            ),
            parameters: pairs(
                stack
                    .parameters()
                    .iter()
                    .map(|p| (p.parameter_key(), p.parameter_value()))
                    .collect(),
            ),
        }))
    }

    /// The template body the stack was last deployed with.
    pub async fn template(&self) -> Result<String, CallError> {
        let out = self
            .client
            .get_template()
            .stack_name(&self.name)
            .send()
            .await?;
        Ok(out.template_body().unwrap_or_default().to_string())
    }

    pub async fn create(
        &self,
        template: &str,
        params: &[Param],
        tags: &[(String, String)],
    ) -> Result<(), CallError> {
        self.client
            .create_stack()
            .stack_name(&self.name)
            .template_body(template)
            .set_parameters(Some(parameters(params)))
            .capabilities(Capability::CapabilityNamedIam)
            .set_tags(Some(stack_tags(tags)))
            .send()
            .await?;
        Ok(())
    }

    /// Starts an update; AWS's "No updates are to be performed" is `NothingToDo`.
    pub async fn update(
        &self,
        template: &str,
        params: &[Param],
        tags: &[(String, String)],
    ) -> Result<Update, CallError> {
        let sent = self
            .client
            .update_stack()
            .stack_name(&self.name)
            .template_body(template)
            .set_parameters(Some(parameters(params)))
            .capabilities(Capability::CapabilityNamedIam)
            .set_tags(Some(stack_tags(tags)))
            .send()
            .await;
        match sent.map_err(CallError::from) {
            Ok(_) => Ok(Update::Started),
            Err(e)
                if e.code == "ValidationError"
                    && e.message.contains("No updates are to be performed") =>
            {
                Ok(Update::NothingToDo)
            }
            Err(e) => Err(e),
        }
    }

    pub async fn delete(&self) -> Result<(), CallError> {
        self.client
            .delete_stack()
            .stack_name(&self.name)
            .send()
            .await?;
        Ok(())
    }

    /// A stack a failed create left in `ROLLBACK_COMPLETE` can only be deleted: deletes
    /// it (saying so, following its events) so it can be created again. `true` when it
    /// did; any other stack is left as it is.
    pub async fn delete_failed_create(
        &self,
        state: &StackState,
        say: &dyn Fn(&str),
        progress: &dyn Fn(&str),
    ) -> Result<bool, CallError> {
        if state.status != "ROLLBACK_COMPLETE" {
            return Ok(false);
        }
        say(&format!(
            "stack {} is in ROLLBACK_COMPLETE after a failed create; deleting it and creating it again",
            self.name
        ));
        let since = Utc::now();
        self.delete().await?;
        self.wait(since, progress).await?;
        Ok(true)
    }

    /// Polls until the stack leaves every `*_IN_PROGRESS` status (or disappears, `None`),
    /// passing each new event since `since` to `progress`.
    pub async fn wait(
        &self,
        since: DateTime<Utc>,
        progress: &dyn Fn(&str),
    ) -> Result<Option<StackState>, CallError> {
        let mut seen = HashSet::new();
        loop {
            let state = self.describe().await?;
            for event in self.events_since(since).await.unwrap_or_default() {
                if seen.insert(event.event_id().unwrap_or_default().to_string()) {
                    progress(&format!(
                        "{:<24} {:<34} {}{}",
                        event
                            .resource_status()
                            .map(|s| s.as_str())
                            .unwrap_or_default(),
                        event.resource_type().unwrap_or_default(),
                        event.logical_resource_id().unwrap_or_default(),
                        event
                            .resource_status_reason()
                            .map(|r| format!(": {r}"))
                            .unwrap_or_default()
                    ));
                }
            }
            match state {
                Some(s) if s.in_progress() => tokio::time::sleep(self.poll).await,
                other => return Ok(other),
            }
        }
    }

    /// The resources that failed since `since`, with CloudFormation's reasons.
    pub async fn failures(&self, since: DateTime<Utc>) -> Result<Vec<Failure>, CallError> {
        Ok(self
            .events_since(since)
            .await?
            .iter()
            .filter(|e| {
                e.resource_status()
                    .is_some_and(|s| s.as_str().ends_with("_FAILED"))
            })
            .filter(|e| e.logical_resource_id() != Some(self.name.as_str()))
            .map(|e| Failure {
                logical_id: e.logical_resource_id().unwrap_or_default().to_string(),
                resource_type: e.resource_type().unwrap_or_default().to_string(),
                status: e
                    .resource_status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                reason: e
                    .resource_status_reason()
                    .unwrap_or("no reason given")
                    .to_string(),
            })
            .collect())
    }

    /// Events since `since`, oldest first.
    async fn events_since(&self, since: DateTime<Utc>) -> Result<Vec<StackEvent>, CallError> {
        let out = self
            .client
            .describe_stack_events()
            .stack_name(&self.name)
            .send()
            .await?;
        let mut events: Vec<StackEvent> = out
            .stack_events()
            .iter()
            .filter(|e| e.timestamp().is_some_and(|t| t.secs() >= since.timestamp()))
            .cloned()
            .collect();
        events.reverse();
        Ok(events)
    }

    /// Physical ids of the stack's resources of `resource_type` (e.g. its buckets).
    pub async fn resources_of(&self, resource_type: &str) -> Result<Vec<String>, CallError> {
        let items = self
            .client
            .list_stack_resources()
            .stack_name(&self.name)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await?;
        Ok(items
            .iter()
            .filter(|r| r.resource_type() == Some(resource_type))
            .filter_map(|r| r.physical_resource_id().map(str::to_string))
            .collect())
    }

    /// What a deploy would change, through a change set that is deleted again (with the
    /// placeholder stack a change set for a new stack leaves behind).
    pub async fn preview(
        &self,
        template: &str,
        params: &[Param],
        tags: &[(String, String)],
        exists: bool,
    ) -> Result<Vec<PlannedChange>, CallError> {
        let change_set = format!(
            "{}-preview-{}",
            self.name,
            Utc::now().format("%Y%m%d%H%M%S")
        );
        self.client
            .create_change_set()
            .stack_name(&self.name)
            .change_set_name(&change_set)
            .change_set_type(if exists {
                ChangeSetType::Update
            } else {
                ChangeSetType::Create
            })
            .template_body(template)
            .set_parameters(Some(parameters(params)))
            .capabilities(Capability::CapabilityNamedIam)
            .set_tags(Some(stack_tags(tags)))
            .send()
            .await?;
        let described = self.describe_change_set(&change_set).await;
        let cleanup = self
            .client
            .delete_change_set()
            .stack_name(&self.name)
            .change_set_name(&change_set)
            .send()
            .await;
        if !exists {
            self.delete().await?;
        }
        cleanup?;
        described
    }

    async fn describe_change_set(&self, change_set: &str) -> Result<Vec<PlannedChange>, CallError> {
        loop {
            let out = self
                .client
                .describe_change_set()
                .stack_name(&self.name)
                .change_set_name(change_set)
                .send()
                .await?;
            let status = out
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default();
            if status.ends_with("_PENDING") || status.ends_with("_IN_PROGRESS") {
                tokio::time::sleep(self.poll).await;
                continue;
            }
            let reason = out.status_reason().unwrap_or_default();
            if status == "FAILED"
                && !reason.contains("didn't contain changes")
                && !reason.contains("No updates")
            {
                return Err(CallError {
                    code: "ChangeSetFailed".to_string(),
                    message: reason.to_string(),
                });
            }
            return Ok(out
                .changes()
                .iter()
                .filter_map(|c| c.resource_change())
                .map(|r| PlannedChange {
                    action: r
                        .action()
                        .map(|a| a.as_str().to_string())
                        .unwrap_or_default(),
                    logical_id: r.logical_resource_id().unwrap_or_default().to_string(),
                    resource_type: r.resource_type().unwrap_or_default().to_string(),
                    replacement: r.replacement().map(|x| x.as_str().to_string()),
                })
                .collect());
        }
    }
}

fn parameters(params: &[Param]) -> Vec<Parameter> {
    params
        .iter()
        .map(|p| {
            Parameter::builder()
                .parameter_key(p.key)
                .parameter_value(&p.value)
                .build()
        })
        .collect()
}

fn stack_tags(tags: &[(String, String)]) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}
