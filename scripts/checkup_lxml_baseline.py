#!/usr/bin/env python3
"""Baseline for `kenpo bench checkups`: Python lxml parsing the same 特定健診 archives.

For every ZIP in DIR, for every DATA/*.xml: lxml.etree.fromstring, then extract what Kenpo's
reader extracts into Python tuples — the 保険者番号/記号/番号/枝番 ids by root OID, sex, birth
date, exam date, and for every observation of the 01010 section (with its COMP components) the
item code, xsi:type, and value/unit or code/codeSystem. One thread; the ZIP is opened and each
document decompressed inside the timed loop, as Kenpo's reader does. Prints JSON
{seconds, documents, xml_bytes, observations, runs, ...}: `seconds` is the best of --runs
passes; `fromstring_only_seconds` the best of as many passes that only unzip and call
etree.fromstring (lxml's C parser alone, nothing extracted).
Only counts and timings are printed, never a value read from a document.

    python checkup_lxml_baseline.py DIR [--runs 3]
"""

import argparse
import datetime
import json
import os
import sys
import time
import zipfile

from lxml import etree

H = "{urn:hl7-org:v3}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
OID_INSURER = "1.2.392.200119.6.101"
OID_SYMBOL = "1.2.392.200119.6.204"
OID_NUMBER = "1.2.392.200119.6.205"
OID_BRANCH = "1.2.392.200119.6.211"
OID_INSTITUTION = "1.2.392.200119.6.102"
SECTION_CHECKUP = "01010"


T_ID, T_CODE, T_VALUE, T_LOW = H + "id", H + "code", H + "value", H + "low"
T_OBS, T_REL, T_ENTRY, T_SECTION, T_COMPONENT = (
    H + "observation", H + "entryRelationship", H + "entry", H + "section", H + "component")


def child(el, tag):
    """First child element with this tag (a plain loop: lxml's find() goes through ElementPath)."""
    for c in el:
        if c.tag == tag:
            return c
    return None


def path(el, *tags):
    for tag in tags:
        el = child(el, H + tag)
    return el


def day(s):
    s = s.strip()
    return datetime.date(int(s[0:4]), int(s[4:6]), int(s[6:8]))


def observation(obs, out):
    code = value = None
    relations = []
    for c in obs:
        tag = c.tag
        if tag == T_CODE:
            code = c
        elif tag == T_VALUE:
            value = c
        elif tag == T_REL:
            relations.append(c)
    if code.get("nullFlavor") is None:
        item = code.get("code")
        if obs.get("negationInd") == "true":
            out.append((item, None))
        else:
            ty = value.get(XSI_TYPE)
            if value.get("nullFlavor") is not None:
                out.append((item, ty, None))
            elif ty == "PQ":
                out.append((item, ty, value.get("value").strip(), (value.get("unit") or "").strip()))
            elif ty in ("CD", "CO"):
                out.append((item, ty, value.get("code").strip(), value.get("codeSystem")))
            else:
                out.append((item, ty, "".join(value.itertext()).strip()))
    for rel in relations:
        if rel.get("typeCode") == "COMP":
            for o in rel:
                if o.tag == T_OBS:
                    observation(o, out)


def document(data):
    root = etree.fromstring(data)
    role = path(root, "recordTarget", "patientRole")
    ids = {i.get("root"): i.get("extension") for i in role if i.tag == T_ID}
    branch = ids.get(OID_BRANCH)
    patient = child(role, H + "patient")
    sex = child(patient, H + "administrativeGenderCode").get("code")
    birth = day(child(patient, H + "birthTime").get("value"))
    org = path(root, "author", "assignedAuthor", "representedOrganization")
    institution = next((i.get("extension") for i in org if i.tag == T_ID and i.get("root") == OID_INSTITUTION), None)
    time_el = path(root, "documentationOf", "serviceEvent", "effectiveTime")
    low = child(time_el, T_LOW)
    exam = day(time_el.get("value") if time_el.get("value") is not None or low is None else low.get("value"))
    results = []
    for comp in path(root, "component", "structuredBody"):
        if comp.tag != T_COMPONENT:
            continue
        section = child(comp, T_SECTION)
        if section is None:
            continue
        code = child(section, T_CODE)
        if code is None or code.get("code") != SECTION_CHECKUP:
            continue
        for entry in section:
            if entry.tag == T_ENTRY:
                observation(child(entry, T_OBS), results)
    return (
        (ids.get(OID_INSURER, "").strip(), (ids.get(OID_SYMBOL) or "").strip(), ids.get(OID_NUMBER, "").strip(),
         int(branch) if branch is not None else None),
        sex,
        birth,
        exam,
        institution,
        results,
    )


def one_pass(zips, extract=True):
    documents = xml_bytes = observations = 0
    started = time.perf_counter()
    for path_ in zips:
        with zipfile.ZipFile(path_) as z:
            names = sorted(n for n in z.namelist() if "/DATA/" in n and n.lower().endswith(".xml"))
            for name in names:
                data = z.read(name)
                if extract:
                    observations += len(document(data)[5])
                else:
                    etree.fromstring(data)
                documents += 1
                xml_bytes += len(data)
    return time.perf_counter() - started, documents, xml_bytes, observations


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dir")
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    zips = sorted(os.path.join(args.dir, f) for f in os.listdir(args.dir) if f.lower().endswith(".zip"))
    if not zips:
        sys.exit(f"no ZIP archives in {args.dir}")
    runs, bare = [], []
    for _ in range(args.runs):
        seconds, documents, xml_bytes, observations = one_pass(zips)
        runs.append(seconds)
        print(f"lxml pass {len(runs)}/{args.runs}: {seconds:.2f} s, {documents / seconds:.0f} documents/s", file=sys.stderr)
    for _ in range(args.runs):
        seconds, _, _, _ = one_pass(zips, extract=False)
        bare.append(seconds)
        print(f"lxml fromstring only {len(bare)}/{args.runs}: {seconds:.2f} s, {documents / seconds:.0f} documents/s",
              file=sys.stderr)
    print(json.dumps({
        "seconds": min(runs), "runs": runs, "fromstring_only_seconds": min(bare), "fromstring_only_runs": bare,
        "archives": len(zips), "documents": documents, "xml_bytes": xml_bytes, "observations": observations,
        "lxml": ".".join(map(str, etree.LXML_VERSION)), "libxml2": ".".join(map(str, etree.LIBXML_VERSION)),
    }))


if __name__ == "__main__":
    main()
