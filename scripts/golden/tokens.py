"""Golden token ids for adapters/tokenizer.ts, from OpenCLIP itself.

    /work/main/.venv/bin/python scripts/golden/tokens.py [--reference-repo PATH] [--write-templates]

Writes test/fixtures/tokenizer/tokens.json with the ids `open_clip.get_tokenizer('ViT-B-16')`
gives (the tokenizer the reference harness uses for Llama3-MS-CLIP) for
- every prompt the benchmark builds: each template of templates/{msclip,clip,rs5m}.json
  filled as the reference does (`template.format(c=classname)`) with the class names of
  EuroSAT_MS, METERML_MS and BigEarthNet_MS, deduplicated;
- a list of tricky strings (mojibake, entities, unicode, truncation, ...) and 400 seeded
  random mojibake strings, each with the text OpenCLIP's cleaner makes of it.
Each row keeps only its ids up to the end token (the rest is padding with 0).

With the reference harness at hand (a git directory or a checkout of IBM/MS-CLIP), the
script also checks that templates/*.json and the class names below are the reference's,
and `--write-templates` (re)writes templates/*.json from it.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import html
import json
import random
import subprocess
import sys
from pathlib import Path

import ftfy
import open_clip

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test" / "fixtures" / "tokenizer" / "tokens.json"
DEFAULT_REFERENCE = Path("/work/.mirror/IBM+MS-CLIP/repo")
CONTEXT_LENGTH = 77

TEMPLATE_SETS = {
    "msclip": ("MSCLIP.py", "Llama3-MS-CLIP's 50 satellite and aerial prompts; the reference harness's default."),
    "clip": ("CLIP.py", "The 3 'centered satellite photo' prompts of CLIP's EuroSAT evaluation."),
    "rs5m": ("RS5M.py", "RS5M's 105 remote-sensing, aerial and satellite prompts."),
}

# ImageFolder class names: sorted folder names, lower-cased, `_` and `/` as spaces.
EUROSAT_CLASSES = [
    "annualcrop", "forest", "herbaceousvegetation", "highway", "industrial",
    "pasture", "permanentcrop", "residential", "river", "sealake",
]
# msclip/inference/classname_and_prompt/RSMETERML.py `classes` (replace the sorted folders by position).
METERML_CLASSES = [
    "concentrated animal feeding operations", "landfills", "coal mines", "other features",
    "natural gas processing plants", "oil refineries and petroleum terminals",
    "wastewater treatment plants",
]
# msclip/inference/datasets/bigearthnet.py BigEarthNet.class_sets[19], spelled exactly as there.
BIGEARTHNET_CLASSES = [
    "Urban fabric", "Industrial or commercial units", "Arable land", "Permanent crops",
    "Pastures", "Complex cultivation patterns",
    "Land principally occupied by agriculture, with significant areas of natural vegetation",
    "Agro-forestry areas", "Broad-leaved forest", "Coniferous forest", "Mixed forest",
    "Natural grassland and sparsely vegetated areas",
    "Moors, heathland and sclerophyllous vegetation", "Transitional woodland, shrub",
    "Beaches, dunes, sands", "Inland wetlands", "Coastal wetlands", "Inland waters",
    "Marine waters",
]
CLASSES = {"EuroSAT_MS": EUROSAT_CLASSES, "METERML_MS": METERML_CLASSES, "BigEarthNet_MS": BIGEARTHNET_CLASSES}

LONG_TEXT = " ".join(
    f"a satellite image number {index} showing fields, forests and rivers near the coast" for index in range(12)
)

TRICKY = [
    "",
    "   ",
    "\t\n \u00a0\u3000\u2003",
    "a",
    "A Satellite Image Of The SeaLake.",
    "a   satellite\timage\nof\r\nthe  river .",
    "nbsp\u00a0between\u00a0words and\u2009thin\u202fspaces",
    "caf\u00e9 na\u00efve r\u00e9sum\u00e9 pi\u00f1ata \u00fcber \u00c5ngstr\u00f6m",
    "cafe\u0301 (decomposed e + combining acute)",
    "Stra\u00dfe \u0130stanbul \u039f\u0394\u039f\u03a3 \u0391\u0398\u0397\u039d\u0391\u03a3",
    "\u00c9COLE \u0141\u00f3d\u017a \u010ce\u0161k\u00e1 republika",
    "emoji \U0001f30d\U0001f6f0\ufe0f \U0001f468\u200d\U0001f469\u200d\U0001f467 \U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f flags \U0001f1ea\U0001f1fa",
    "\u536b\u661f\u56fe\u50cf \u68ee\u6797 \u6cb3\u6d41",
    "\u885b\u661f\u753b\u50cf\u3068\u30ab\u30bf\u30ab\u30ca \ud55c\uad6d\uc5b4 \uc704\uc131",
    "\u0635\u0648\u0631\u0629 \u0642\u0645\u0631 \u0635\u0646\u0627\u0639\u064a \u05e2\u05d1\u05e8\u05d9\u05ea \u0939\u093f\u0928\u094d\u0926\u0940 \u0e44\u0e17\u0e22",
    "\u201ccurly double\u201d and \u2018curly single\u2019 and it\u2019s \u201ebottom\u201c \u00abguillemets\u00bb",
    "\ufb01eld \ufb02ood e\ufb00ort o\ufb03ce wa\ufb04e \ufb06 \u0132sselmeer \u01c6",
    "\uff2c\uff2f\uff35\uff24\u3000\uff2e\uff2f\uff29\uff33\uff25\uff33 \uff11\uff12\uff13\uff01 \uff8a\uff9d\uff76\uff78",
    "caf\u00c3\u00a9",
    "it\u00e2\u20ac\u2122s a sch\u00c3\u00b6n day",
    "\u00e2\u20ac\u0153quoted\u00e2\u20ac\u009d mojibake",
    "voil\u00c3 le travail",
    "\u00c3\u00a0 la mode",
    "\u00e2\u0153\u201d No problems",
    "\u00ef\u00bb\u00bfbyte order mark mojibake and \u00c3\u00af\u00c2\u00bb\u00c2\u00bf twice",
    "sch\u00c3\u00b6n \u00c3\u0083\u00c2\u00a9 double-encoded caf\u00c3\u0083\u00c2\u00a9",
    "&macr;\\_(\u00e3\u0083\u0084)_/&macr;",
    "Broken text&hellip; it&#x2019;s \ufb02ubberi\ufb01c!",
    "\u0080\u0093C1 controls\u0094\u0099",
    "&amp;",
    "&amp;amp;",
    "&amp;amp;amp; triple",
    "&lt;b&gt;bold&lt;/b&gt;",
    "<b>real html &amp; entities stay</b>",
    "line one &eacute;\nline <two> &eacute;\nline three &eacute;",
    "&#233; &#xE9; &#X00e9; &#65;&#66; &#128512; &#0; &#x110000; &#55296;",
    "&eacute &eacutex &notit; &EACUTE; P&EACUTE;REZ &nTILDE; &Jscr;ohn &checkmark;",
    "AT&T and R&D and a&b;c &#; &#x; &unknownentity;",
    "&nbsp;&nbsp;spaces&ensp;via&emsp;entities&nbsp;",
    "numbers 0 12 345 6789 3.14159 1,000,000 \u00bd \u00b2 \u2163 \u0664\u0665",
    "punctuation!!! ??? ... --- (((brackets))) [x] {y} <z> ~~ @@ ## $$ %% ^^ && ** __ ++ == || \\\\ // ;; ::",
    "!",
    "!!",
    "a!b?c",
    "it's we're they've I'm you'll he'd don't can't won't Y'ALL'S",
    "'s 't 're 've 'm 'll 'd '",
    "\u017fome long \u017f 'ſ test <ſtart_of_text>",
    "<start_of_text>embedded specials<end_of_text>",
    "<START_OF_TEXT> upper",
    "snake_case_name and kebab-case-name and CamelCaseName",
    "under_score / slash\\back",
    "\u0007bell\u0000null\u001bescape\u007fdel\ufeffbom\u200bzwsp\u200dzwj\u00adsoft",
    "\u001b[31mred terminal\u001b[0m text",
    "tabs\tand\u000bvertical\u000cformfeed\u001cfs\u001dgs\u001ers\u001fus",
    "\u2028line sep\u2029para sep\u0085nel",
    "combining \u0345 ypogegrammeni and \u03b1\u0345",
    "\u1e9e \u00df \u0130 \u0131 \u03a3\u03a3 \u0391\u03a3 \u212a\u212b",
    "Kelvin \u212a and Ohm \u2126 and Angstrom \u212b",
    "superscripts x\u00b2 H\u2082O \u2460\u2461 \u33a1",
    "\ud83d\udca9 surrogate pair",
    "math \U0001d400\U0001d401 and bold \U0001d5d4",
    "tab\u3000ideographic",
    LONG_TEXT,
    "a " * 80,
    "supercalifragilisticexpialidocious " * 8,
    "x" * 300,
    "\u00e9" * 100,
    "The image is a satellite view showing a Land principally occupied by agriculture, with significant areas of natural vegetation.",
]


# Seeded random strings that exercise ftfy's mojibake repair: text in many scripts,
# encoded as UTF-8 and decoded with the single-byte codecs ftfy knows (sometimes twice,
# sometimes with A0 bytes turned into spaces), plus raw runs of the characters its
# heuristics look at, plus HTML-escaped text.
MOJIBAKE_WORDS = [
    "caf\u00e9", "na\u00efve", "\u00fcber", "\u00c5ngstr\u00f6m", "S\u00e3o Paulo", "Krak\u00f3w", "se\u00f1or",
    "gar\u00e7on", "it\u2019s", "\u201cquote\u201d", "\u2014dash\u2013", "\u2026", "\u20ac100", "\u00a35", "\u00a9",
    "\u2122", "\u00b0C", "\u00bd", "\u0395\u03bb\u03bb\u03ac\u03b4\u03b1", "\u041c\u043e\u0441\u043a\u0432\u0430",
    "\u65e5\u672c\u8a9e", "\ud55c\uad6d\uc5b4", "\U0001f30d", "\U0001f44d\U0001f3fd", "\ufb01eld", "\uff21\uff22",
    "\u00e0 la", "\u00e0s vezes", "f\u00e1cil", "\u0141\u00f3d\u017a", "\u010cesk\u00fd", "\u0130stanbul", "\u0153uvre",
    "\u00df", "\u00a0", "\t", "&amp;", "&eacute;", "&#233;", "&#x2019;", "&nbsp;", "the", "river", "forest", "'s", "!", ".",
]
MOJIBAKE_CODECS = [
    "latin-1", "windows-1252", "windows-1251", "windows-1250", "windows-1253", "windows-1254",
    "windows-1257", "iso-8859-2", "mac_roman", "cp437",
]
MOJIBAKE_POOL = bytes(range(0x20, 0x7F)).decode() + bytes(range(0xA0, 0x100)).decode("latin-1") + (
    "\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d"
    "\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178\ufffd\u0080\u0093\u009d\u0102\u0103\u0105"
    "\u0142\u0141\u015f\u0163\u0391\u0392\u0393\u039e\u039f\u03b2\u03c0\u03c3\u0412\u0413\u0420\u0421"
    "\u0432\u0402\u0440\u0443\u2116\u221a\u2248\u2264\u2265\u25ca\u2502\u2550\u256c\u2580\u2591"
)


def mojibake_strings(count: int, seed: int = 20250811) -> list[str]:
    rng = random.Random(seed)

    def garble(text: str) -> str:
        data = text.encode("utf-8")
        if rng.random() < 0.3:
            data = data.replace(b"\xa0", b" ")
        return data.decode(rng.choice(MOJIBAKE_CODECS), errors=rng.choice(["replace", "ignore"]))

    out = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.5:
            text = " ".join(rng.choice(MOJIBAKE_WORDS) for _ in range(rng.randint(1, 6)))
            text = garble(text) if rng.random() < 0.85 else text
            text = garble(text) if rng.random() < 0.2 else text
            if rng.random() < 0.2:
                cut = rng.randint(0, len(text))
                text = f"{text[:cut]} {rng.choice(MOJIBAKE_WORDS)} {text[cut:]}"
        elif kind < 0.8:
            text = "".join(rng.choice(MOJIBAKE_POOL) for _ in range(rng.randint(1, 12)))
        else:
            text = " ".join(rng.choice(MOJIBAKE_WORDS) for _ in range(rng.randint(1, 5)))
            text = "".join(c if rng.random() < 0.8 else rng.choice(MOJIBAKE_POOL) for c in text)
            text = html.escape(text) if rng.random() < 0.3 else text
        out.append(text)
    return out


def read_reference_file(reference: Path, path: str) -> str:
    """A file of the reference harness, from a checkout or from a (bare) git directory."""
    if (reference / path).is_file():
        return (reference / path).read_text(encoding="utf-8")
    return subprocess.run(
        ["git", "-C", str(reference), "show", f"HEAD:{path}"], check=True, capture_output=True, text=True
    ).stdout


def reference_commit(reference: Path) -> str:
    result = subprocess.run(["git", "-C", str(reference), "rev-parse", "HEAD"], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else "unknown"


def module_value(source: str, name: str):
    """The literal assigned to `name` at the top level of a Python module."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise KeyError(name)


def bigearthnet_classes(source: str) -> list[str]:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef) and node.name == "BigEarthNet":
            return module_value(ast.unparse(ast.Module(body=node.body, type_ignores=[])), "class_sets")[19]
    raise KeyError("BigEarthNet.class_sets")


def check_reference(reference: Path, write_templates: bool) -> None:
    prompts = "msclip/inference/classname_and_prompt"
    commit = reference_commit(reference)
    for name, (file, description) in TEMPLATE_SETS.items():
        templates = module_value(read_reference_file(reference, f"{prompts}/{file}"), "templates")
        target = ROOT / "templates" / f"{name}.json"
        if write_templates:
            document = {
                "name": name,
                "description": description,
                "source": f"IBM/MS-CLIP {prompts}/{file} @ {commit}",
                "templates": templates,
            }
            target.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)} ({len(templates)} templates)")
        ours = json.loads(target.read_text(encoding="utf-8"))["templates"]
        if ours != templates:
            sys.exit(f"templates/{name}.json differs from the reference's {file}; rerun with --write-templates")
    if module_value(read_reference_file(reference, f"{prompts}/RSMETERML.py"), "classes") != METERML_CLASSES:
        sys.exit("METERML_CLASSES differs from the reference's RSMETERML.py")
    if bigearthnet_classes(read_reference_file(reference, "msclip/inference/datasets/bigearthnet.py")) != BIGEARTHNET_CLASSES:
        sys.exit("BIGEARTHNET_CLASSES differs from the reference's bigearthnet.py")
    print(f"templates and class names match the reference at {commit}")


def template_sha256(name: str) -> str:
    templates = json.loads((ROOT / "templates" / f"{name}.json").read_text(encoding="utf-8"))["templates"]
    return hashlib.sha256(json.dumps(templates, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).hexdigest()


def prompts() -> list[str]:
    texts: dict[str, None] = {}
    for name in TEMPLATE_SETS:
        templates = json.loads((ROOT / "templates" / f"{name}.json").read_text(encoding="utf-8"))["templates"]
        for classes in CLASSES.values():
            for classname in classes:
                for template in templates:
                    texts[template.format(c=classname)] = None
    return list(texts)


def rows(tokenizer, texts: list[str]) -> list[list[int]]:
    ids = tokenizer(texts, context_length=CONTEXT_LENGTH)
    out = []
    for text, row in zip(texts, ids.tolist()):
        length = min(len(tokenizer.encode(text)) + 2, CONTEXT_LENGTH)
        assert row[length - 1] == tokenizer.eot_token_id and all(v == 0 for v in row[length:]), text
        out.append(row[:length])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference-repo", type=Path, default=DEFAULT_REFERENCE if DEFAULT_REFERENCE.exists() else None)
    parser.add_argument("--write-templates", action="store_true")
    args = parser.parse_args()
    if args.reference_repo is not None:
        check_reference(args.reference_repo, args.write_templates)
    elif args.write_templates:
        sys.exit("--write-templates needs --reference-repo")
    else:
        print("reference harness not found: templates and class names not re-checked")

    tokenizer = open_clip.get_tokenizer("ViT-B-16")
    clean = open_clip.tokenizer._clean_lower
    prompt_texts = prompts()
    tricky = list(dict.fromkeys(TRICKY))
    mojibake = [text for text in dict.fromkeys(mojibake_strings(400)) if text not in tricky]
    vocabulary = Path(open_clip.tokenizer.default_bpe()).read_bytes()
    document = {
        "generator": "scripts/golden/tokens.py",
        "open_clip": open_clip.__version__,
        "ftfy": ftfy.__version__,
        "python": sys.version.split()[0],
        "vocabulary_sha256": hashlib.sha256(vocabulary).hexdigest(),
        "context_length": CONTEXT_LENGTH,
        "classes": CLASSES,
        # What templates/index.ts must report as TemplateSet.sha256 (compact JSON of the list).
        "template_sha256": {name: template_sha256(name) for name in TEMPLATE_SETS},
        "prompts": [[text, ids] for text, ids in zip(prompt_texts, rows(tokenizer, prompt_texts))],
        "tricky": [[text, clean(text), ids] for text, ids in zip(tricky, rows(tokenizer, tricky))],
        "mojibake": [[text, clean(text), ids] for text, ids in zip(mojibake, rows(tokenizer, mojibake))],
    }
    # One row per line keeps the file diffable and small.
    lines = ["{"]
    for key, value in document.items():
        if key in ("prompts", "tricky", "mojibake"):
            body = ",\n".join("    " + json.dumps(row, ensure_ascii=True, separators=(",", ":")) for row in value)
            lines.append(f'  "{key}": [\n{body}\n  ],')
        else:
            lines.append(f'  "{key}": {json.dumps(value, ensure_ascii=True)},')
    lines[-1] = lines[-1].rstrip(",")
    lines.append("}")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(
        f"wrote {OUTPUT.relative_to(ROOT)}: {len(prompt_texts)} prompts, {len(tricky)} tricky strings, "
        f"{len(mojibake)} mojibake strings, {OUTPUT.stat().st_size} bytes"
    )


if __name__ == "__main__":
    main()
