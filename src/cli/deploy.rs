//! `compliance deploy`'s flags: the stack's parameters, each left out keeping the
//! stack's current value, and `--member-role`'s.

use std::path::PathBuf;

use clap::Args;

use super::values::*;
use super::AwsArgs;
use crate::rules::Severity;

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// Names the stack (`compliance-<suffix>`) and every resource in it.
    #[arg(long, value_name = "SUFFIX", required_unless_present = "member_role")]
    pub suffix: Option<String>,
    /// Deploy, instead of the scanner, the read-only scan role a member account gives
    /// the security account's scanner (stack `compliance-member-role`, from
    /// infra/member-role.yaml).
    #[arg(long, requires = "trusted_account", conflicts_with_all = ["suffix", "alert_email", "schedule", "lambda_binary", "suppressions", "dry_run", "organization_scan", "organization_units", "excluded_accounts", "organization_items", "organization_concurrency", "tolerated_failure_percentage"])]
    pub member_role: bool,
    /// The regions the scheduled scan covers (the stack's ScanRegions): a comma-separated
    /// list, or `all` for every region enabled in the account; default: the stack's.
    #[arg(long, value_name = "REGIONS|all", value_parser = parse_scan_regions)]
    pub scan_regions: Option<String>,
    /// With --member-role: the security account whose scanner may assume the role.
    #[arg(long, value_name = "ID", value_parser = parse_account_id, requires = "member_role")]
    pub trusted_account: Option<String>,
    /// The member role's name (the scanner's --role-name): with --member-role, the role
    /// deployed (default ComplianceScanRole); otherwise the stack's MemberRoleName, the
    /// role an organisation run assumes in each account.
    #[arg(long, value_name = "NAME", value_parser = parse_role_name)]
    pub member_role_name: Option<String>,
    /// The external id the member role requires: with --member-role, the role's; otherwise
    /// the one an organisation run gives (the stack's MemberRoleExternalId).
    #[arg(long, value_name = "ID", value_parser = parse_external_id)]
    pub trusted_external_id: Option<String>,
    /// Region to deploy to; default: the profile's region.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Subscribe this address to the critical alerts topic.
    #[arg(long, value_name = "EMAIL")]
    pub alert_email: Option<String>,
    /// Owner tag of every resource.
    #[arg(long, value_name = "OWNER")]
    pub owner: Option<String>,
    /// CostCenter tag of every resource.
    #[arg(long, value_name = "COST_CENTER")]
    pub cost_center: Option<String>,
    /// ComplianceLevel tag of every resource.
    #[arg(long, value_name = "LEVEL")]
    pub compliance_level: Option<String>,
    /// When the scheduled scan runs, e.g. `rate(6 hours)` or `cron(0 3 * * ? *)`.
    #[arg(long, value_name = "EXPR")]
    pub schedule: Option<String>,
    /// Failed findings at or above this severity publish to the critical topic
    /// (`AlertThreshold`; default: the stack's current value, else high).
    #[arg(long, value_name = "SEVERITY")]
    pub alert_threshold: Option<Severity>,
    /// Days a stored report (and each old version) is kept (`ReportRetentionDays`;
    /// default: the stack's current value, else 90).
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..))]
    pub report_retention_days: Option<u32>,
    /// Let the scheduled scan apply the safe remediations (`AutoRemediate`; default: the
    /// stack's current value, else false).
    #[arg(long, value_name = "BOOL", action = clap::ArgAction::Set)]
    pub auto_remediate: Option<bool>,
    /// Scan every active account of the organisation on the schedule, through a Step
    /// Functions state machine (`OrganizationScan`; default: the stack's current value,
    /// else false). Deploy in the management or a delegated administrator account, with
    /// the member role in each account (docs/organizations.md).
    #[arg(long, value_name = "BOOL", action = clap::ArgAction::Set)]
    pub organization_scan: Option<bool>,
    /// The organisational units (or root) an organisation run covers, at any depth,
    /// comma-separated (`OrganizationUnits`; "" for the whole organisation, the default).
    #[arg(long, value_name = "OU_ID,…", value_parser = |raw: &str| parse_list(raw, parse_parent_id))]
    pub organization_units: Option<String>,
    /// Accounts an organisation run leaves out, comma-separated (`ExcludedAccounts`; ""
    /// for none, the default).
    #[arg(long, value_name = "ID,…", value_parser = |raw: &str| parse_list(raw, parse_account_id))]
    pub excluded_accounts: Option<String>,
    /// What one item of an organisation run scans (`OrganizationItems`): `account`, or
    /// `account-region` (one region of --scan-regions each, judged together per account)
    /// for accounts too large for one invocation.
    #[arg(long, value_name = "account|account-region", value_parser = ["account", "account-region"])]
    pub organization_items: Option<String>,
    /// Accounts an organisation run scans at once (`OrganizationMaxConcurrency`, also the
    /// function's reserved concurrency; default: the stack's, else 10).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub organization_concurrency: Option<u16>,
    /// The share of accounts whose scan may fail before an organisation run is marked
    /// failed (`OrganizationToleratedFailurePercentage`; default: the stack's, else 10).
    #[arg(long, value_name = "PERCENT", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub tolerated_failure_percentage: Option<u8>,
    /// The Secrets Manager secret holding the chat or ticket webhook each run posts its
    /// new failures to (`WebhookSecretArn`; `""` for none; default: the stack's current
    /// value). The scanner needs a way out: `--network-mode nat` or `none`.
    #[arg(long, value_name = "ARN")]
    pub webhook_secret_arn: Option<String>,
    /// What the webhook takes (`WebhookFormat`; default: the stack's current value, else
    /// slack).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub webhook_format: Option<crate::notify::WebhookFormat>,
    /// New failures at or above this severity are posted (`WebhookMinSeverity`;
    /// default: the stack's current value, else high).
    #[arg(long, value_name = "SEVERITY")]
    pub webhook_min_severity: Option<Severity>,
    /// Deploy an AWS Config recorder of the stack's own, with its delivery channel and a
    /// single-account aggregator (`ConfigRecorder`; default: the stack's current value,
    /// else false). A region holds one recorder: leave it off where one exists.
    #[arg(long, value_name = "BOOL", action = clap::ArgAction::Set)]
    pub config_recorder: Option<bool>,
    /// Deploy AWS Config custom rules answered by the scanner (`ConfigRules`; default:
    /// the stack's current value, else false).
    #[arg(long, value_name = "BOOL", action = clap::ArgAction::Set)]
    pub config_rules: Option<bool>,
    /// Import each scheduled scan's failed findings into Security Hub
    /// (`SecurityHubExport`; default: the stack's current value, else false).
    #[arg(long, value_name = "BOOL", action = clap::ArgAction::Set)]
    pub security_hub_export: Option<bool>,
    /// How the scanner Lambda reaches AWS: `endpoints` (an interface endpoint per
    /// service; IAM's exists only in us-east-1), `nat` (one NAT gateway) or `none`
    /// (outside the VPC). Default: the stack's current mode, else endpoints.
    #[arg(long, value_enum, value_name = "MODE")]
    pub network_mode: Option<NetworkMode>,
    /// The x86-64 Linux build of compliance (with the `lambda` feature) to run as the
    /// scanner Lambda; default: this executable, when it is one.
    #[arg(long, value_name = "PATH")]
    pub lambda_binary: Option<PathBuf>,
    /// Show the changes a deploy would make, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Output format of the stack's outputs (or planned changes).
    #[arg(long, value_enum, default_value_t = DeployFormat::Table)]
    pub format: DeployFormat,
    /// Upload this suppression file for the scheduled scans (validated first); they read
    /// it from the report bucket at `config/suppressions.yaml`.
    #[arg(long, value_name = "FILE")]
    pub suppressions: Option<PathBuf>,
}

/// The stack's `NetworkMode` parameter; docs/stack.md compares the modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NetworkMode {
    Endpoints,
    Nat,
    None,
}

impl NetworkMode {
    /// The parameter's value.
    pub fn as_str(self) -> &'static str {
        match self {
            NetworkMode::Endpoints => "endpoints",
            NetworkMode::Nat => "nat",
            NetworkMode::None => "none",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeployFormat {
    Table,
    Json,
}
