"""Build the external evaluation sets of mapping suggestions (bench/data/suggest-eval/) from a
snapshot of the mapping libraries of the open GRC project intuitem/ciso-assistant-community.

    python bench/build_suggest_sets.py --repo /path/to/ciso-assistant-community[.git] \
        [--commit f990d7b1b9a9f56e391acbc247c9076262a11412]

The snapshot is read with ``git show COMMIT:path`` (a bare mirror works). Nothing in Keel is
consulted except the ISO/IEC 27001:2022 library, to name the targets by Keel's references and
official short titles and to drop gold pairs that point at a heading (see below). Each set is
one JSON file:

``sources``/``targets``: ``[id, title, description]`` — the published text of a NIST or EU
item (public information / CC BY 4.0, see README.md); for ISO/IEC 27001 targets only the
reference and the official short title (the standard's text is copyrighted; the bench adds
Keel's own guidance as a Keel user would have it). ``pairs``: ``[source id, target id]`` of
the crosswalk (all of them are NIST IR 8477 ``intersect`` relations in these files).

Rules, the same for every set (decided before any figure was looked at):

- only the first mapping set of a file (its named direction), and only source items with at
  least one gold pair to a linkable target;
- targets: the linkable entries of the target framework — not headings (an entry with
  children), not Annex A themes, not CSF functions or categories; a gold pair that points at a
  heading is dropped and counted in ``dropped_pairs``;
- at most ``MAX_SOURCES`` source items per set, chosen by a hash of their id (no look at the
  text), descriptions cut at ``MAX_CHARS`` characters at a word boundary;
- an item whose name is generic (the same name on three or more items, such as "Implementation
  Specification (Required)") is titled with its parent's name before its own;
- a source item with no name of its own (a CSF subcategory, a lettered point of the NIS2
  regulation) takes the nearest ancestor's name as its title, as a catalogue import would
  show it, and keeps its own text as the description; a CSF subcategory's statement is its
  title.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "data" / "suggest-eval"
LIB = "backend/library/libraries"
COMMIT = "f990d7b1b9a9f56e391acbc247c9076262a11412"
MAX_SOURCES = 100
MAX_CHARS = 700

FRAMEWORKS = {
    "nist-csf-2.0": ("nist-csf-2.0.yaml", "NIST Cybersecurity Framework 2.0",
                     "NIST publication, public information (17 U.S.C. 105)"),
    "nist-sp-800-53-rev5": ("nist-sp-800-53-rev5.yaml", "NIST SP 800-53 Rev. 5",
                            "NIST publication, public information (17 U.S.C. 105)"),
    "nist-sp-800-66-rev2": ("nist-sp-800-66-rev2.yaml", "NIST SP 800-66 Rev. 2 (HIPAA Security Rule)",
                            "NIST publication, public information (17 U.S.C. 105)"),
    "nis2-annex": ("annex-nis2-regulation--2024-2690-with-technical-implementation-guidance-by-enisa.yaml",
                   "Annex to Commission Implementing Regulation (EU) 2024/2690 (NIS2)",
                   "EU legal act (Commission Decision 2011/833/EU reuse policy); ENISA guidance CC BY 4.0"),
    "iso27001-2022": ("", "ISO/IEC 27001:2022", "copyrighted: only references and official short titles kept"),
}  # fmt: skip

# name, mapping file, source framework, target framework, role
SETS = [
    ("csf2-to-iso27001", "mapping-nist-csf-2.0-to-iso27001-2022.yaml", "nist-csf-2.0", "iso27001-2022", "tuning"),
    ("nis2-to-csf2", "mapping-annex-technical-and-methodological-requirements-nis2-and-nist-csf-2.0.yaml",
     "nis2-annex", "nist-csf-2.0", "tuning"),
    ("sp800-53-to-iso27001", "mapping-nist-sp-800-53-rev5-to-iso27001-2022.yaml", "nist-sp-800-53-rev5",
     "iso27001-2022", "held-out"),
    ("sp800-66-to-csf2", "mapping-nist-sp-800-66-rev2-to-nist-csf-2.0.yaml", "nist-sp-800-66-rev2",
     "nist-csf-2.0", "held-out"),
    ("nis2-to-iso27001", "mapping-annex-technical-and-methodological-requirements-nis2-and-iso27001-2022.yaml",
     "nis2-annex", "iso27001-2022", "held-out"),
]  # fmt: skip


def _show(repo: Path, commit: str, path: str) -> Any:
    out = subprocess.run(
        ["git", f"--git-dir={repo}", "show", f"{commit}:{path}"], check=True, capture_output=True
    ).stdout
    return yaml.safe_load(out)


def _clip(text: str) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) <= MAX_CHARS:
        return text
    cut = text[:MAX_CHARS].rsplit(" ", 1)[0]
    return cut + " …"


def _nodes(doc: dict[str, Any]) -> list[dict[str, Any]]:
    fw = doc["objects"]["framework"]
    return list(fw["requirement_nodes"])


def _iso27001() -> dict[str, tuple[str, bool]]:
    """Keel's ISO/IEC 27001:2022 entries: ref → (official short title, linkable)."""
    entries: list[dict[str, Any]] = []
    for f in sorted((ROOT / "keel" / "standards" / "data" / "iso27001-2022").glob("*.yaml")):
        entries += (yaml.safe_load(f.read_text(encoding="utf-8")) or {}).get("entries") or []
    parents = {e.get("parent") for e in entries if e.get("parent")}
    # Keel's clauses file nests by ref (6.1 → 6.1.1) as well as by parent.
    refs = {e["ref"] for e in entries}
    for r in refs:
        if "." in r and not r.startswith("A."):
            parents.add(r.rsplit(".", 1)[0])
    return {
        e["ref"]: (e["title"], e["ref"] not in parents and e.get("kind") in ("clause", "annex_control"))
        for e in entries
    }


def _framework_items(repo: Path, commit: str, key: str) -> tuple[dict[str, list[str]], set[str]]:
    """urn → [id, title, description] for every node, and the set of linkable urns."""
    if key == "iso27001-2022":
        raise ValueError("ISO/IEC 27001 comes from Keel's library")
    doc = _show(repo, commit, f"{LIB}/{FRAMEWORKS[key][0]}")
    nodes = _nodes(doc)
    by_urn = {n["urn"]: n for n in nodes}
    has_children = {n.get("parent_urn") for n in nodes if n.get("parent_urn")}
    names = Counter(str(n.get("name") or "").strip() for n in nodes)
    items: dict[str, list[str]] = {}
    linkable: set[str] = set()
    for n in nodes:
        urn = n["urn"]
        ident = str(n.get("ref_id") or urn.rsplit(":", 1)[1]).strip()
        name = str(n.get("name") or "").strip()
        if name and names[name] >= 3:  # a generic name ("Implementation Specification"): say whose
            p = by_urn.get(n.get("parent_urn", ""))
            while p is not None and not p.get("name"):
                p = by_urn.get(p.get("parent_urn", ""))
            if p is not None:
                name = f"{str(p['name']).strip()}: {name}"
            else:  # no named ancestor: the first line of the parent's text names the section
                p = by_urn.get(n.get("parent_urn", ""))
                head = str((p or {}).get("description") or "").split("\n", 1)[0].strip().rstrip(":")
                name = f"{head[:120]}: {name}" if head else name
        desc = str(n.get("description") or "").strip()
        if not name:
            if key == "nist-csf-2.0":
                name, desc = desc, ""
            else:
                p = by_urn.get(n.get("parent_urn", ""))
                while p is not None and not p.get("name"):
                    p = by_urn.get(p.get("parent_urn", ""))
                name = str(p.get("name") or "").strip() if p else ""
        if not name and not desc:
            continue
        items[urn] = [ident, _clip(name), _clip(desc)]
        if urn not in has_children and n.get("assessable", True):
            linkable.add(urn)
    return items, linkable


def _iso_targets() -> tuple[dict[str, list[str]], set[str]]:
    iso = _iso27001()
    items, linkable = {}, set()
    for ref, (title, ok) in iso.items():
        urn = "urn:intuitem:risk:req_node:iso27001-2022:" + ref.lower()
        items[urn] = [ref, title, ""]
        if ok:
            linkable.add(urn)
    return items, linkable


def _order(ident: str) -> str:
    return hashlib.sha256(ident.encode()).hexdigest()


def build(repo: Path, commit: str) -> list[dict[str, Any]]:
    OUT.mkdir(parents=True, exist_ok=True)
    cache: dict[str, tuple[dict[str, list[str]], set[str]]] = {}

    def framework(key: str) -> tuple[dict[str, list[str]], set[str]]:
        if key not in cache:
            cache[key] = _iso_targets() if key == "iso27001-2022" else _framework_items(repo, commit, key)
        return cache[key]

    summary = []
    for name, mapping_file, skey, tkey, role in SETS:
        doc = _show(repo, commit, f"{LIB}/{mapping_file}")
        mset = doc["objects"]["requirement_mapping_sets"][0]
        sitems, _ = framework(skey)
        titems, tlink = framework(tkey)
        gold: dict[str, set[str]] = {}
        dropped = unknown = 0
        for m in mset["requirement_mappings"]:
            s, t = m["source_requirement_urn"], m["target_requirement_urn"]
            if m.get("relationship") == "not_related":
                continue
            if s not in sitems or t not in titems:
                unknown += 1
                continue
            if t not in tlink:
                dropped += 1
                continue
            gold.setdefault(s, set()).add(t)
        chosen = sorted(gold, key=lambda u: _order(sitems[u][0]))[:MAX_SOURCES]
        chosen.sort(key=lambda u: list(sitems).index(u))
        targets = [titems[u] for u in titems if u in tlink]
        pairs = sorted({(sitems[s][0], titems[t][0]) for s in chosen for t in gold[s]})
        data = {
            "name": name,
            "role": role,
            "source_framework": FRAMEWORKS[skey][1],
            "target_framework": FRAMEWORKS[tkey][1],
            "source_licence": FRAMEWORKS[skey][2],
            "target_licence": FRAMEWORKS[tkey][2],
            "crosswalk": f"intuitem/ciso-assistant-community@{commit}:{LIB}/{mapping_file}",
            "crosswalk_copyright": " ".join(str(doc.get("copyright", "")).split())[:300],
            "target_text": "keel-guidance" if tkey == "iso27001-2022" else "published",
            "dropped_pairs": {"to a heading": dropped, "unknown entry": unknown},
            "sources": [sitems[u] for u in chosen],
            "targets": targets,
            "pairs": [list(p) for p in pairs],
        }
        path = OUT / f"{name}.json"
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("{\n")
            keys = list(data)
            for i, k in enumerate(keys):
                v = data[k]
                end = ",\n" if i < len(keys) - 1 else "\n"
                if isinstance(v, list):
                    rows = ",\n  ".join(json.dumps(r, ensure_ascii=False) for r in v)
                    fh.write(f"{json.dumps(k)}: [\n  {rows}\n]{end}")
                else:
                    fh.write(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}{end}")
            fh.write("}\n")
        summary.append(
            {"set": name, "role": role, "sources": len(chosen), "targets": len(targets), "pairs": len(pairs),
             "dropped to a heading": dropped, "unknown": unknown, "bytes": path.stat().st_size}
        )  # fmt: skip
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--repo", type=Path, required=True, help="git dir of the ciso-assistant-community snapshot"
    )
    parser.add_argument("--commit", default=COMMIT)
    args = parser.parse_args()
    for row in build(args.repo, args.commit):
        print(json.dumps(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
