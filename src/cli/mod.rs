//! Command-line definitions (clap derive) and nothing else; the values flags take are
//! checked in `values.rs`.

mod deploy;
mod values;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::model::Service;
use crate::output::{Format, GroupBy};
use crate::rules::Severity;
pub use deploy::{DeployArgs, DeployFormat};
use values::*;

#[derive(Debug, Parser)]
#[command(
    name = "compliance",
    version,
    about = "Audit an AWS account against security and compliance rules"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Collect the account's inventory, evaluate the rules and print the findings.
    Scan(Box<ScanArgs>),
    /// Create or update the scanner's stack (`compliance-<suffix>`) from the embedded template.
    Deploy(DeployArgs),
    /// Empty the stack's buckets and delete the stack.
    Destroy(DestroyArgs),
    /// Render stored scan reports: one scan, the trend across scans, or what changed.
    Report(ReportArgs),
    /// Adopt the scanner on an account with a backlog: draft its failures as accepted risks.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Print the shell completion script for SHELL (see the README for where it goes).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `compliance man > compliance.1`; with --dir,
    /// write it and one page per subcommand (compliance-scan.1, …) there.
    Man {
        /// Write compliance.1 and a page per subcommand into DIR (it must exist).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Plan safe fixes for failed findings (a dry run); make them only with --apply.
    Remediate(RemediateArgs),
    /// Post a saved report's new failures to a chat or ticket webhook (Slack, Teams,
    /// Jira, ServiceNow, or any receiver of JSON).
    Notify(NotifyArgs),
}

#[derive(Debug, Args)]
pub struct NotifyArgs {
    /// A JSON report written by `scan --format json --output FILE`; with a baseline
    /// (`scan --baseline`), only its new failures are sent, else all its failures.
    #[arg(value_name = "FILE")]
    pub report: PathBuf,
    /// Where to post.
    #[arg(long, value_name = "URL")]
    pub webhook_url: String,
    /// What the receiver takes.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: crate::notify::WebhookFormat,
    /// Only failures at or above this severity (tickets: critical and high only).
    #[arg(long, value_name = "SEVERITY", default_value = "high")]
    pub min_severity: Severity,
    /// With --format jira: the project the issues are opened in.
    #[arg(long, value_name = "KEY")]
    pub jira_project: Option<String>,
    /// A header to send, e.g. `Authorization: Basic …` (repeatable).
    #[arg(long = "header", value_name = "NAME: VALUE", value_parser = parse_header)]
    pub headers: Vec<(String, String)>,
}

/// Where and as whom to reach AWS.
#[derive(Debug, Clone, Args)]
pub struct AwsArgs {
    /// Named profile from the AWS config files (AWS_PROFILE works too).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Send every AWS request to this URL (an emulator or a proxy); AWS_ENDPOINT_URL works too.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Assume this role first and work in its account (`arn:aws:iam::ID:role/NAME`).
    #[arg(long, value_name = "ARN", value_parser = parse_role_arn)]
    pub role_arn: Option<String>,
    /// The external id the assumed roles' trust policies ask for.
    #[arg(long, value_name = "ID", value_parser = parse_external_id)]
    pub external_id: Option<String>,
    /// The name of the assumed roles' sessions, as CloudTrail records them.
    #[arg(long, value_name = "NAME", default_value = "compliance-scan", value_parser = parse_session_name)]
    pub role_session_name: String,
}

/// The accounts of a scan of several: named, or listed from the organisation.
#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("several").args(["accounts", "organization"])))]
pub struct AccountArgs {
    /// Scan these accounts (comma-separated or repeated), assuming --role-name in each.
    #[arg(long, value_name = "ID,ID…", value_delimiter = ',', value_parser = parse_account_id, requires = "role_name", conflicts_with_all = SEVERAL_CONFLICTS)]
    pub accounts: Vec<String>,
    /// Scan every active account of the organisation (run from its management account
    /// or a delegated administrator), assuming --role-name in each; with --remote, start
    /// the deployed stack's organisation run instead (its MemberRoleName, ScanRegions).
    #[arg(long, conflicts_with_all = ORGANIZATION_CONFLICTS)]
    pub organization: bool,
    /// With --organization: only the accounts under this organizational unit, at any
    /// depth (repeatable).
    #[arg(
        long = "ou",
        value_name = "OU_ID",
        value_parser = parse_parent_id,
        requires = "organization",
        conflicts_with = "remote"
    )]
    pub ous: Vec<String>,
    /// With --organization: leave this account out (repeatable).
    #[arg(long = "exclude-account", value_name = "ID", value_parser = parse_account_id, requires = "organization", conflicts_with = "remote")]
    pub excluded: Vec<String>,
    /// The role assumed in each account (`arn:<partition>:iam::<id>:role/NAME`); the
    /// caller's own account is scanned with the caller's credentials.
    #[arg(long, value_name = "NAME", value_parser = parse_role_name, requires = "several", conflicts_with = "remote")]
    pub role_name: Option<String>,
    /// Accounts scanned at once, each with its regions and --concurrency calls.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub account_concurrency: u16,
}

/// What a scan of several accounts cannot be combined with: one other account, a
/// replay or a template, one stack, the deployed scanner, one account's Security Hub.
const SEVERAL_CONFLICTS: [&str; 6] = [
    "role_arn",
    "templates",
    "inventory",
    "stack",
    "remote",
    "security_hub",
];

/// `--organization` is also the deployed stack's organisation run (with `--remote`).
const ORGANIZATION_CONFLICTS: [&str; 5] = [
    "role_arn",
    "templates",
    "inventory",
    "stack",
    "security_hub",
];

/// Accepted risks: which suppression file a run applies.
#[derive(Debug, Clone, Args)]
pub struct SuppressionArgs {
    /// Accepted risks to apply (a suppression file, docs/suppressions.md); default:
    /// .compliance/suppressions.yaml when it exists.
    #[arg(long, value_name = "FILE", conflicts_with = "no_suppressions")]
    pub suppressions: Option<PathBuf>,
    /// Apply no suppression file, not even .compliance/suppressions.yaml.
    #[arg(long)]
    pub no_suppressions: bool,
    /// The furthest ahead a suppression may expire, in days from today.
    #[arg(long, value_name = "DAYS", default_value_t = crate::suppress::DEFAULT_MAX_DAYS, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub max_suppression_days: u32,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("baseline_source").args(["baseline", "baseline_suffix"])))]
pub struct ScanArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the output to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Region to scan (repeatable); default: the profile's region.
    #[arg(long = "region", value_name = "REGION", conflicts_with = "all_regions")]
    pub regions: Vec<String>,
    /// Scan every region enabled for the account.
    #[arg(long)]
    pub all_regions: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub several: AccountArgs,
    /// Add rules from DIR (repeatable); a rule with a built-in rule's id replaces it.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    /// Evaluate only this rule (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    pub only_rules: Vec<String>,
    /// Leave this rule out (repeatable).
    #[arg(long = "skip-rule", value_name = "ID")]
    pub skip_rules: Vec<String>,
    /// Evaluate only rules on this service (repeatable).
    #[arg(long = "service", value_name = "NAME", value_enum)]
    pub services: Vec<Service>,
    /// Evaluate only rules of this severity or worse.
    #[arg(long, value_name = "SEVERITY", default_value = "info")]
    pub min_severity: Severity,
    /// Exit 1 when a finding of this severity or worse fails; `none` never does.
    #[arg(long, value_name = "SEVERITY|none", default_value = "low", value_parser = parse_fail_on)]
    pub fail_on: FailOn,
    /// With a baseline: exit 1 only for new failures of this severity or worse (instead
    /// of --fail-on).
    #[arg(long, value_name = "SEVERITY", requires = "baseline_source")]
    pub fail_on_new: Option<Severity>,
    /// Compare with an earlier scan (a JSON report): each failure is marked new or
    /// existing, and what no longer fails is listed as resolved.
    #[arg(long, value_name = "REPORT")]
    pub baseline: Option<PathBuf>,
    /// Compare with the latest scan the stack `compliance-<suffix>` stored.
    #[arg(long, value_name = "SUFFIX", conflicts_with = "baseline")]
    pub baseline_suffix: Option<String>,
    #[command(flatten)]
    pub suppression: SuppressionArgs,
    /// List the suppressed findings in the table (it counts them either way).
    #[arg(long)]
    pub show_suppressed: bool,
    /// How the table groups the findings.
    #[arg(long, value_enum, value_name = "BY", default_value_t = GroupBy::Rule)]
    pub group_by: GroupBy,
    /// Show the evaluator's full explanation under each finding in the table.
    #[arg(long, short)]
    pub verbose: bool,
    /// Exit 0 even when something could not be read; by default a scan with ERROR
    /// findings (an unread resource or listing, a scan cut short) exits 3.
    #[arg(long)]
    pub accept_errors: bool,
    /// Also write the collected inventory (the evidence) to FILE as JSON.
    #[arg(long, value_name = "FILE", conflicts_with = "inventory")]
    pub save_inventory: Option<PathBuf>,
    /// Judge CloudFormation templates instead of AWS: a template (YAML or JSON), a
    /// directory of templates, or a CDK cloud assembly (`cdk.out`). Repeatable; no AWS
    /// call, no credentials. `--region` sets `AWS::Region` (default us-east-1).
    #[arg(long = "template", value_name = "PATH", conflicts_with_all = ["inventory", "save_inventory", "all_regions", "baseline_suffix", "endpoint_url", "profile", "remote"])]
    pub templates: Vec<PathBuf>,
    /// With --template: a template parameter's value (repeatable); it overrides the
    /// parameter's Default and --parameters-file.
    #[arg(long = "parameter", value_name = "KEY=VALUE", requires = "templates", value_parser = parse_parameter)]
    pub parameters: Vec<(String, String)>,
    /// With --template: parameter values from a file, as `aws cloudformation` takes
    /// them (`[{"ParameterKey": …, "ParameterValue": …}]`) or as a CodePipeline
    /// template configuration (`{"Parameters": {KEY: VALUE}}`).
    #[arg(long = "parameters-file", value_name = "FILE", requires = "templates")]
    pub parameters_file: Option<PathBuf>,
    /// Judge a deployed CloudFormation stack (a name or stack id) in the --region given:
    /// its template as deployed, its live resources, and where the two disagree (drift).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["templates", "inventory", "all_regions", "remote", "list_rules"])]
    pub stack: Option<String>,
    /// Evaluate a saved inventory instead of calling AWS.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["regions", "all_regions", "endpoint_url", "profile"])]
    pub inventory: Option<PathBuf>,
    /// Calls in flight at once.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// List the rules that would be evaluated, then exit.
    #[arg(long)]
    pub list_rules: bool,
    /// No progress and no summary on stderr; errors are still reported.
    #[arg(long, short)]
    pub quiet: bool,
    /// Run the scan inside the deployed scanner Lambda (`compliance-scanner-<suffix>`).
    #[arg(long, requires = "suffix", conflicts_with_all = ["rule_dirs", "inventory", "save_inventory", "all_regions", "list_rules"])]
    pub remote: bool,
    /// With --remote: the suffix the stack was deployed with.
    #[arg(long, value_name = "SUFFIX", requires = "remote")]
    pub suffix: Option<String>,
    /// With --remote: send the on-demand scan event instead of waiting; prints the scan id.
    #[arg(long = "async", requires = "remote", conflicts_with = "organization")]
    pub asynchronous: bool,
    /// With --remote --organization: follow the organisation run to its end and print its
    /// report (without it, the run id is printed once the run is started).
    #[arg(long, requires = "remote", requires = "organization")]
    pub wait: bool,
    /// Import the failed findings into Security Hub in each region scanned (the account's
    /// own product), archiving there the ones this scan no longer finds failing.
    #[arg(long, conflicts_with_all = ["templates", "inventory", "remote", "list_rules"])]
    pub security_hub: bool,
    /// With --security-hub: import every verdict (PASSED, NOT_AVAILABLE too), not only
    /// failures.
    #[arg(long, requires = "security_hub")]
    pub security_hub_all: bool,
}

/// `--service` takes the registry's names, and its help lists them.
impl clap::ValueEnum for Service {
    fn value_variants<'a>() -> &'a [Self] {
        Service::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()).help(self.spec().title))
    }
}

/// The `--fail-on` threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FailOn {
    Never,
    AtLeast(Severity),
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Write a report's failures as a suppression file draft, to fill in and review.
    Create(BaselineCreateArgs),
}

#[derive(Debug, Args)]
pub struct BaselineCreateArgs {
    /// The scan whose failures are drafted (`scan --format json --output FILE`).
    #[arg(long, value_name = "REPORT")]
    pub from: PathBuf,
    /// Where the draft goes (refused if it exists, so an existing file is never lost).
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    // Failures this file already accepts are left out of the draft.
    #[command(flatten)]
    pub suppression: SuppressionArgs,
}

#[derive(Debug, Args)]
pub struct DestroyArgs {
    /// The suffix the stack was deployed with.
    #[arg(long, value_name = "SUFFIX")]
    pub suffix: String,
    /// Region the stack is in; default: the profile's region.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Do not ask for confirmation (required when stdin is not a terminal).
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// JSON reports written by `scan --format json --output FILE`.
    #[arg(
        value_name = "FILE",
        required_unless_present = "suffix",
        conflicts_with = "suffix"
    )]
    pub files: Vec<PathBuf>,
    /// Read the scans the deployed stack `compliance-<suffix>` stored in its bucket.
    #[arg(long, value_name = "SUFFIX")]
    pub suffix: Option<String>,
    /// With --suffix: the stack's region; default: the profile's region.
    #[arg(long, value_name = "REGION", requires = "suffix")]
    pub region: Option<String>,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Show the latest scan (the default).
    #[arg(long, conflicts_with_all = ["scan", "trend", "diff"])]
    pub latest: bool,
    /// Show this scan instead of the latest.
    #[arg(long, value_name = "SCAN_ID", conflicts_with_all = ["trend", "diff"])]
    pub scan: Option<String>,
    /// Score and failed findings by severity across the scans.
    #[arg(long, conflicts_with = "diff")]
    pub trend: bool,
    /// With --trend: only the last N scans.
    #[arg(long, value_name = "N", requires = "trend")]
    pub last: Option<usize>,
    /// With --trend: only scans since this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", requires = "trend", value_parser = parse_date)]
    pub since: Option<chrono::NaiveDate>,
    /// New, resolved and still failing findings between two scans (default: the latest
    /// against the one before it).
    #[arg(long, num_args = 0..=2, value_names = ["A", "B"])]
    pub diff: Option<Vec<String>>,
    /// With --suffix: this resource's findings history (its ARN, or its id where it has
    /// none, with --account for an organisation run's) from the stack's findings table:
    /// when each rule started and stopped failing.
    #[arg(long, value_name = "ARN", requires = "suffix", conflicts_with_all = ["scan", "trend", "diff", "framework", "suppressions"])]
    pub resource: Option<String>,
    /// The scan's findings grouped by this framework's controls (aws-fsbp, cis-aws-3.0,
    /// pci-dss-4.0, …), each with its status.
    #[arg(long, value_name = "FRAMEWORK", conflicts_with_all = ["trend", "diff"])]
    pub framework: Option<String>,
    /// In reports of several accounts: only this account's findings, summary and trend;
    /// with --resource, the account of a resource with no ARN.
    #[arg(long, value_name = "ID", value_parser = parse_account_id)]
    pub account: Option<String>,
    /// How the table groups the findings.
    #[arg(long, value_enum, value_name = "BY", default_value_t = GroupBy::Rule)]
    pub group_by: GroupBy,
    /// Show the evaluator's full explanation under each finding in the table.
    #[arg(long, short)]
    pub verbose: bool,
    /// Every entry of a suppression file with its status against the scan (active,
    /// expiring, expired, stale, out of scope) and the failures it covers; without FILE:
    /// .compliance/suppressions.yaml when it exists, else the entries the scan applied.
    #[arg(long, value_name = "FILE", num_args = 0..=1, conflicts_with_all = ["trend", "diff", "framework"])]
    pub suppressions: Option<Option<PathBuf>>,
    /// The furthest ahead a suppression may expire, in days from today.
    #[arg(long, value_name = "DAYS", default_value_t = crate::suppress::DEFAULT_MAX_DAYS, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub max_suppression_days: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the output to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RemediateArgs {
    /// Fix the failed findings of this JSON report (`scan --format json --output FILE`);
    /// default: a fresh scan.
    #[arg(long, value_name = "REPORT")]
    pub from: Option<PathBuf>,
    /// Only findings of this rule (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Vec<String>,
    /// Only this resource, by id or ARN (repeatable).
    #[arg(long = "resource", value_name = "ID")]
    pub resources: Vec<String>,
    /// Make the changes; without it the plan is printed and nothing changes.
    #[arg(long)]
    pub apply: bool,
    /// With --apply: do not ask first (required when stdin is not a terminal).
    #[arg(long, requires = "apply")]
    pub yes: bool,
    /// KMS key for S3 default encryption (SSE-KMS) and SNS topics; without it buckets
    /// get SSE-S3 and topics SNS's AWS-managed key.
    #[arg(long, value_name = "ARN")]
    pub kms_key: Option<String>,
    /// Value for a missing mandatory tag (repeatable); existing tags are never changed.
    #[arg(long = "tag", value_name = "KEY=VALUE", value_parser = parse_tag)]
    pub tags: Vec<(String, String)>,
    /// Region to scan (repeatable; fresh scan only); default: the profile's region.
    #[arg(long = "region", value_name = "REGION", conflicts_with = "from")]
    pub regions: Vec<String>,
    /// Add rules from DIR (repeatable), as `scan --rules` does.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    // Accepted risks are never fixed: the failures this file accepts are left alone.
    #[command(flatten)]
    pub suppression: SuppressionArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Also store the audit in the report bucket of stack `compliance-<suffix>`.
    #[arg(long, value_name = "SUFFIX")]
    pub suffix: Option<String>,
    /// Append the audit (JSON Lines) to FILE; default:
    /// $XDG_STATE_HOME/compliance/remediation-audit.jsonl (~/.local/state/…).
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
    /// Output format of the plan or the results.
    #[arg(long, value_enum, default_value_t = RemediateFormat::Table)]
    pub format: RemediateFormat,
    /// Resources read or changed at once (the fixes on one resource run in turn).
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// No progress on stderr; errors are still reported.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RemediateFormat {
    Table,
    /// The audit records, as a JSON array.
    Json,
}
