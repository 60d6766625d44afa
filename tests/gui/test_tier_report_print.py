"""The printed tier report: a real PDF from a real database, read back with pdftotext and pdffonts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from app import i18n
from app.services import office, tier_report
from app.services.actor import DEFAULT_ACTOR
from app.services.customers import CustomerInput, CustomerService, TransactionInput
from app.services.errors import Cancelled
from app.services.tier_rules import ABC, Dimension, RuleDefinition, TierDef
from app.services.tiers import TierService
from app.views.tier_report_print import render, write_pdf

AS_OF = date(2024, 6, 30)
COMPANY = "上海示例贸易有限公司"
# ABC over a total of ¥1,000: a tier takes a customer while the revenue of the better customers is under
# its share. A 0 %, B 50 %, C 70 % → 钻石 (< 80 %); D 85 % → Gold (< 95 %); E 95 %, F 98 % → Silver;
# G bought nothing → Prospect.
CUSTOMERS = {
    "A": ("石户示范贸易有限公司", Decimal("500")),
    "B": ("北京华信科技股份有限公司", Decimal("200")),
    "C": ("Acme Trading Ltd.", Decimal("150")),
    "D": ("广州南方物流有限公司", Decimal("100")),
    "E": ("杭州西湖茶业有限公司", Decimal("30")),
    "F": ("Delta Components GmbH", Decimal("20")),
    "G": ("成都新客户有限公司", None),
}
EXPECTED = {"钻石": "ABC", "Gold": "D", "Silver": "EF", "Prospect": "G"}
RULES = RuleDefinition(
    method=ABC,
    cadence="quarterly",
    dimensions=(Dimension("revenue", 1),),
    tiers=(
        TierDef("diamond", "钻石", up_to=80, cadence_days=30),
        TierDef("gold", "Gold", up_to=95, cadence_days=60),
        TierDef("silver", "Silver", up_to=100, cadence_days=90),
        TierDef("potential", "Prospect", cadence_days=120),
    ),
    no_purchase_tier="potential",
)


def poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        message = f"{tool} is not installed (poppler-utils)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run([tool, *args], capture_output=True, text=True, encoding="utf-8", check=True)
    return result.stdout


def pdf_text(path: Path) -> str:
    return poppler("pdftotext", "-layout", str(path), "-")


@pytest.fixture
def codes(sqlite_db) -> dict[str, str]:
    """The database evaluated and applied; letter → customer code."""
    office.save_company_name(sqlite_db, DEFAULT_ACTOR, COMPANY)
    customers = CustomerService(sqlite_db)
    result = {}
    for letter, (name, revenue) in CUSTOMERS.items():
        detail = customers.create(DEFAULT_ACTOR, CustomerInput(name=name))
        result[letter] = detail.code
        if revenue is not None:
            customers.save_transaction(
                DEFAULT_ACTOR,
                detail.id,
                TransactionInput(occurred_on=AS_OF - timedelta(days=30), amount=revenue),
            )
    tiers = TierService(sqlite_db)
    rule_set = tiers.save_rule_set(DEFAULT_ACTOR, "钻石分级", RULES)
    tiers.use_rule_set(DEFAULT_ACTOR, rule_set.id)
    evaluation = tiers.evaluate(DEFAULT_ACTOR, rule_set.id, as_of=AS_OF)
    tiers.apply(DEFAULT_ACTOR, evaluation.id)
    return result


def sections(text: str) -> dict[str, list[str]]:
    """Tier name → the customer codes listed under its section heading."""
    found: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        heading = re.match(r"^\s*(\S.*?) — (?:1 customer|\d+ customers)\s*$", line)
        if heading:
            current = heading.group(1)
            found[current] = []
        elif current is not None:
            code = re.match(r"^\s*(\S+)\s", line)
            if code and code.group(1) in ALL_CODES:
                found[current].append(code.group(1))
    return found


ALL_CODES: set[str] = set()


@pytest.fixture
def out(tmp_path) -> Path:
    """A folder of its own for the PDF (the test's database lives in tmp_path)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_the_pdf_shows_the_tiers_of_the_data(qapp, sqlite_db, codes, out):
    ALL_CODES.update(codes.values())
    report = tier_report.gather(sqlite_db, DEFAULT_ACTOR)
    path = out / "tiers.pdf"
    reported = []
    pages = write_pdf(report, path, progress=lambda done, total: reported.append((done, total)))

    assert path.exists() and pages >= 1
    assert reported[-1] == (pages, pages)
    assert not [p for p in out.iterdir() if p.name != path.name], "a temporary file was left behind"
    text = pdf_text(path)
    page_texts = text.split("\f")[:pages]
    first = page_texts[0]
    assert "Customer tier report" in first
    assert COMPANY in first
    assert re.search(r"钻石分级, version \d+ · ABC by revenue", first)
    for tier, letters in EXPECTED.items():
        assert re.search(rf"^\s*{tier}\s+{len(letters)}\s+\d", first, re.MULTILINE), f"summary row of {tier}"
    assert re.search(r"^\s*Total\s+7\s+100\.0%\s+¥1,000\.00\s+100\.0%", first, re.MULTILINE)
    assert "Changes since the previous evaluation" in text

    listed = sections(text)
    assert listed == {tier: [codes[letter] for letter in letters] for tier, letters in EXPECTED.items()}

    for number, page in enumerate(page_texts, start=1):
        assert f"Page {number} of {pages}" in page
        assert "Generated " in page


def test_chinese_text_is_embedded_and_extracts(qapp, sqlite_db, codes, out):
    i18n.set_language("zh_CN")
    try:
        report = tier_report.gather(sqlite_db, DEFAULT_ACTOR)
        path = out / "等级报告.pdf"
        write_pdf(report, path)
    finally:
        i18n.set_language("en")
    text = pdf_text(path)
    assert COMPANY in text
    # 户, 石, 示: the characters some CJK fonts map back to Kangxi radicals in the PDF's text layer.
    for name, _revenue in CUSTOMERS.values():
        assert name in text
    assert re.search(r"^\s*钻石\s+3\s", text, re.MULTILINE)

    fonts = poppler("pdffonts", str(path)).splitlines()[2:]
    assert fonts, "the PDF names no fonts"
    for line in fonts:
        # name, type…, encoding, emb, sub, uni, object, generation: emb is the fifth field from the end.
        assert line.split()[-5] == "yes", f"font not embedded: {line}"


def test_cancelling_leaves_no_file(qapp, sqlite_db, codes, out):
    report = tier_report.gather(sqlite_db, DEFAULT_ACTOR)
    path = out / "tiers.pdf"
    with pytest.raises(Cancelled):
        write_pdf(report, path, cancelled=lambda: True)
    assert list(out.iterdir()) == []

    # Cancelled after the first page was painted: still nothing, and an older report stays as it was.
    path.write_bytes(b"old")
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(Cancelled):
        write_pdf(report, path, cancelled=cancelled)
    assert [p.name for p in out.iterdir()] == ["tiers.pdf"]
    assert path.read_bytes() == b"old"


def test_a_printer_gets_the_same_pages(qapp, sqlite_db, codes, out):
    from PySide6.QtPrintSupport import QPrinter

    report = tier_report.gather(sqlite_db, DEFAULT_ACTOR)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out / "printed.pdf"))
    pages = render(report, printer)
    assert pages >= 1
    assert f"Page {pages} of {pages}" in pdf_text(out / "printed.pdf")
