//! Application and Network Load Balancers against the local AWS endpoint: HTTP listeners
//! that redirect, forward or "redirect" to the same protocol, a Network Load Balancer the
//! ALB-only rules leave alone, and the calls a scan makes (rules asked only of plain-HTTP
//! listeners, tags for 20 load balancers a call, attributes only when read).

mod common;

use common::*;
use serde_json::json;

/// `web`: HTTP 80 redirected to HTTPS and HTTP 8080 forwarding; `same`: HTTP 80
/// "redirected" to whatever protocol the request had; `safe`: HTTP 80 redirected, and a
/// rule redirecting /old to HTTPS too; `net`: a Network Load Balancer with TCP 80;
/// `extra-0` … `extra-16`: ALBs with no listener.
fn account() -> Emulator {
    let emu = Emulator::start();
    emu.boto(
        r##"
ec2, elb = client("ec2"), client("elbv2")
vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"]
           for i, z in [(1, "a"), (2, "b")]]
group = elb.create_target_group(Name="app", Protocol="HTTP", Port=8080, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
tcp = elb.create_target_group(Name="tcp", Protocol="TCP", Port=8080, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
forward = [{"Type": "forward", "TargetGroupArn": group}]
def redirect(protocol):
    return [{"Type": "redirect", "RedirectConfig": {"Protocol": protocol, "Port": "443", "StatusCode": "HTTP_301"}}]
def balancer(name, kind="application"):
    return elb.create_load_balancer(Name=name, Type=kind, Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
def listener(arn, port, actions, protocol="HTTP"):
    return elb.create_listener(LoadBalancerArn=arn, Protocol=protocol, Port=port, DefaultActions=actions)["Listeners"][0]["ListenerArn"]
web = balancer("web")
listener(web, 80, redirect("HTTPS"))
listener(web, 8080, forward)
listener(balancer("same"), 80, redirect("#{protocol}"))
safe = listener(balancer("safe"), 80, redirect("HTTPS"))
elb.create_rule(ListenerArn=safe, Priority=5, Actions=redirect("HTTPS"),
                Conditions=[{"Field": "path-pattern", "Values": ["/old/*"]}])
listener(balancer("net", "network"), 80, [{"Type": "forward", "TargetGroupArn": tcp}], "TCP")
for i in range(17):
    elb.add_tags(ResourceArns=[balancer(f"extra-{i}")], Tags=[{"Key": "Owner", "Value": "web"}])
"##,
    );
    emu
}

const REDIRECT: &str = "elbv2-alb-redirects-http-to-https";
const TAGS: &str = "elbv2-mandatory-tags";

#[test]
fn every_http_rule_must_redirect_to_https_and_calls_stay_per_listener_and_batch() {
    let emu = account();
    let proxy = Proxy::start(&emu.url, json!([]));
    let out = run(scan(
        &proxy.url,
        "json",
        &["--rule", REDIRECT, "--rule", TAGS, "--region", "us-east-1"],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_report(&out);
    assert_eq!(
        status_of(&report, REDIRECT, "web").unwrap(),
        "FAIL",
        "8080 forwards"
    );
    assert_eq!(
        status_of(&report, REDIRECT, "same").unwrap(),
        "FAIL",
        "a redirect that keeps HTTP is no redirect to HTTPS"
    );
    assert_eq!(status_of(&report, REDIRECT, "safe").unwrap(), "PASS");
    assert_eq!(
        status_of(&report, REDIRECT, "net").unwrap(),
        "NOT_APPLICABLE"
    );
    assert_eq!(
        status_of(&report, REDIRECT, "extra-3").unwrap(),
        "PASS",
        "no listener"
    );
    assert_eq!(
        status_of(&report, TAGS, "extra-3").unwrap(),
        "FAIL",
        "Owner only"
    );
    // 21 load balancers: one listing, their listeners each, the rules of the four
    // plain-HTTP ALB listeners only, tags 20 a call, no attributes.
    assert_eq!(proxy.count("DescribeLoadBalancers"), 1);
    assert_eq!(proxy.count("DescribeListeners"), 21);
    assert_eq!(proxy.count("DescribeRules"), 4);
    assert_eq!(proxy.count("DescribeTags"), 2);
    assert_eq!(proxy.count("DescribeLoadBalancerAttributes"), 0);
}

#[test]
fn a_refused_call_errors_only_what_it_would_have_answered() {
    let emu = account();
    // One load balancer's attributes are refused; and the first batch of tags.
    let proxy = Proxy::start(
        &emu.url,
        json!([
            {"action": "DescribeLoadBalancerAttributes", "status": 403, "code": "AccessDenied",
             "format": "query", "times": 1},
            {"action": "DescribeTags", "status": 403, "code": "AccessDenied", "format": "query",
             "times": 1}
        ]),
    );
    let rule = "elbv2-deletion-protection";
    let out = run(scan(
        &proxy.url,
        "json",
        &["--rule", rule, "--rule", TAGS, "--region", "us-east-1"],
    ));
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report = json_report(&out);
    let verdicts = |rule: &str| -> Vec<String> {
        findings_of(&report, rule)
            .into_iter()
            .map(|(_, s)| s)
            .collect()
    };
    let protection = verdicts(rule);
    assert_eq!(protection.len(), 21);
    assert_eq!(
        protection.iter().filter(|v| *v == "ERROR").count(),
        1,
        "{protection:?}"
    );
    assert!(protection.iter().all(|v| v == "FAIL" || v == "ERROR"));
    // The refused batch errors its load balancers (20 or 1, whichever was asked first),
    // never passes or fails them.
    let tags = verdicts(TAGS);
    let errors = tags.iter().filter(|v| *v == "ERROR").count();
    assert!(errors == 20 || errors == 1, "{tags:?}");
    assert_eq!(tags.iter().filter(|v| *v == "FAIL").count(), 21 - errors);
}
