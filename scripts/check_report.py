"""Reads back a report the way its consumers do and prints what it holds as JSON.

    check_report.py sarif FILE   validated against the OASIS SARIF 2.1.0 schema
    check_report.py junit FILE   validated against the JUnit XSD CI servers use
    check_report.py html FILE    parsed as XML; every element's id with its text,
                                 and any reference to something outside the file

Exits 1 with the validator's message when the file does not conform. The schemas are
the ones scripts/setup.sh extracted from pinned PyPI packages (see schemas.txt).
"""

import json
import pathlib
import sys
import xml.etree.ElementTree as ET

SCHEMAS = pathlib.Path(sys.prefix) / "share" / "schemas"


def sarif(path):
    import jsonschema

    log = json.loads(path.read_text())
    schema = json.loads((SCHEMAS / "sarif-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    return {
        "version": log["version"],
        "rules": [r["id"] for r in run["tool"]["driver"]["rules"]],
        "results": [
            {"ruleId": r["ruleId"], "level": r["level"],
             "uri": r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             "suppressions": r.get("suppressions", []),
             "baselineState": r.get("baselineState")}
            for r in run["results"]
        ],
        "notifications": len(run["invocations"][0].get("toolExecutionNotifications", [])),
    }


def junit(path):
    import xmlschema

    xmlschema.XMLSchema(SCHEMAS / "junit-10.xsd").validate(str(path))
    root = ET.parse(path).getroot()
    cases = root.iter("testcase")
    return {
        "tests": int(root.get("tests")),
        "failures": int(root.get("failures")),
        "errors": int(root.get("errors")),
        "suites": [s.get("name") for s in root.iter("testsuite")],
        "cases": [
            {"classname": c.get("classname"), "name": c.get("name"),
             "outcome": next((child.tag for child in c), "passed")}
            for c in cases
        ],
    }


def html(path):
    root = ET.fromstring(path.read_text())
    ids = {e.get("id"): "".join(e.itertext()).strip() for e in root.iter() if e.get("id")}
    external = [
        f"<{e.tag} {attr}={e.get(attr)}>"
        for e in root.iter()
        for attr in ("src", "href")
        if e.get(attr) and e.tag != "a"
    ]
    external += [f"<{e.tag}>" for e in root.iter() if e.tag in ("script", "link", "iframe")]
    style = "".join("".join(e.itertext()) for e in root.iter("style"))
    if "url(" in style or "@import" in style:
        external.append("a stylesheet reference")
    return {"title": root.findtext("head/title"), "ids": ids, "external": external}


def main():
    kind, path = sys.argv[1], pathlib.Path(sys.argv[2])
    try:
        print(json.dumps({"sarif": sarif, "junit": junit, "html": html}[kind](path), indent=2))
    except Exception as e:  # the validators' own messages say what is wrong
        detail = getattr(e, "reason", None) or getattr(e, "message", None) or str(e)
        where = "/".join(map(str, getattr(e, "absolute_path", [])))
        sys.exit(f"{path}: {type(e).__name__}: {detail}" + (f" at /{where}" if where else ""))


if __name__ == "__main__":
    main()
