//! `compliance completions` and `compliance man`: the scripts load in their shell and
//! complete the subcommands and flags; the manual pages render with man(1).

mod common;

use common::*;
use std::process::Command;

#[test]
fn bash_completion_loads_and_completes_subcommands_and_flags() {
    let out = run(compliance(&["completions", "bash"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let script = temp_dir("completions").join("compliance.bash");
    write(&script, &stdout(&out));
    // Source it and ask it what `compliance sc<TAB>` and `compliance scan --suppr<TAB>` give.
    let probe = format!(
        r#"source {script}
complete -p compliance
COMP_WORDS=(compliance sc); COMP_CWORD=1; _compliance compliance sc compliance; echo "1:${{COMPREPLY[*]}}"
COMP_WORDS=(compliance scan --suppr); COMP_CWORD=2; _compliance compliance --suppr scan; echo "2:${{COMPREPLY[*]}}"
COMP_WORDS=(compliance scan --format ''); COMP_CWORD=3; _compliance compliance '' --format; echo "3:${{COMPREPLY[*]}}""#,
        script = script.display()
    );
    let shell = Command::new("bash").arg("-c").arg(probe).output().unwrap();
    let text = String::from_utf8_lossy(&shell.stdout);
    assert!(
        shell.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&shell.stderr)
    );
    assert!(text.contains("-F _compliance compliance"), "{text}");
    assert!(text.contains("1:scan"), "{text}");
    assert!(text.contains("2:--suppressions"), "{text}");
    assert!(
        text.contains("3:") && text.contains("sarif") && text.contains("junit"),
        "{text}"
    );
}

#[test]
fn every_shell_gets_a_script_and_an_unknown_one_is_refused() {
    for (shell, marker) in [
        ("zsh", "#compdef compliance"),
        ("fish", "complete -c compliance"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[compliance]"),
    ] {
        let out = run(compliance(&["completions", shell]));
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(stdout(&out).contains(marker), "{shell}");
        assert!(
            stdout(&out).contains("suppressions"),
            "{shell} completes the flags"
        );
    }
    let out = run(compliance(&["completions", "tcsh"]));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
}

#[test]
fn the_manual_pages_render() {
    let out = run(compliance(&["man"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = temp_dir("man");
    let page = dir.join("compliance.1");
    write(&page, &stdout(&out));
    let shown = |page: &std::path::Path| {
        let out = Command::new("man")
            .arg("-l")
            .arg(page)
            .env("MANWIDTH", "100")
            .env("MAN_KEEP_FORMATTING", "0")
            .env("PAGER", "cat")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Off a terminal grotty overstrikes bold and underlined text: `X\bX`, `_\bX`.
        let mut text = String::new();
        for c in String::from_utf8_lossy(&out.stdout).chars() {
            if c == '\u{8}' {
                text.pop();
            } else {
                text.push(c);
            }
        }
        text
    };
    let text = shown(&page);
    assert!(text.contains("compliance - Audit an AWS account"), "{text}");
    for sub in [
        "scan",
        "deploy",
        "destroy",
        "report",
        "remediate",
        "baseline",
        "completions",
    ] {
        assert!(text.contains(sub), "lists {sub}: {text}");
    }

    let pages = temp_dir("man-pages");
    let out = run(compliance(&["man", "--dir", pages.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let scan = shown(&pages.join("compliance-scan.1"));
    assert!(
        scan.contains("--fail-on-new") && scan.contains("--suppressions"),
        "{scan}"
    );
    let out = run(compliance(&["man", "--dir", "/nonexistent"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/nonexistent is not a directory"));
}
