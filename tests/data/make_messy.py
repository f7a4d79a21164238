"""Write the messy-file corpus in tests/data/messy/ (committed; rerun to regenerate).

Each file is one case of tests/test_loading.py; expected.json says what loading it must give.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).parent / "messy"

TEXT_FILES: dict[str, bytes] = {
    "utf8_bom.csv": "\ufeffname,amount\nAnna,1\nBéla,2\n".encode(),
    "utf16_bom.csv": "name,city\nJosé,Köln\nZoë,Århus\n".encode("utf-16"),
    "cp1252.csv": "name,note\nJosé,€ 5 – “quoted”\nRenée,naïve\n".encode("cp1252"),
    "latin1_late.csv": (
        "id,text\n" + "".join(f"{i},plain\n" for i in range(1, 40000)) + "40000,caf\xe9\n"
    ).encode("latin-1"),
    "semicolon_decimal_comma.csv": b"product;price;qty\nTea;3,50;1.000\nCoffee;4,25;12.500\nCake;12,00;7\n",
    "tab_separated.tsv": b"a\tb\tc\n1\tx\t2.5\n2\ty\t3.5\n",
    "pipe.txt": b"a|b\n1|one\n2|two\n3|three\n",
    "ragged.csv": b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n",
    "duplicate_blank_headers.csv": b"name,,name,value, \nx,1,y,2,3\nz,4,w,5,6\n",
    "quoted_newlines.csv": b'id,comment\n1,"first line\nsecond line"\n2,"plain"\n3,"has ""quotes"", and commas"\n',
    "thousands.csv": b'city,population\nParis,"2,148,000"\nLyon,"513,275"\nNice,"342,669"\n',
    "date_formats.csv": (
        b"iso,dotted,us,mixed_text\n2024-03-15,15.03.2024,03/15/2024,soon\n"
        b"2024-04-01,01.04.2024,04/01/2024,later\n2024-12-31,31.12.2024,12/31/2024,never\n"
    ),
    "ambiguous_dates.csv": b"d,v\n01/02/2024,1\n03/04/2024,2\n05/06/2024,3\n",
    "durations.csv": b"track,length,race_time\nIntro,3:39,2:08:13\nRemix,7:24,2:10:01\n",
    "na_markers.csv": b"x,y,label\n1,NA,a\n2,3.5,N/A\nNULL,4.5,b\n",
    "yes_no.csv": b"name,active\na,yes\nb,no\nc,yes\n",
    "header_only.csv": b"a,b,c\n",
    "empty.csv": b"",
    "binary_garbage.csv": bytes(range(256)) * 64,
    "pdf_named.csv": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
    "notes.docx": b"PK\x03\x04" + b"\x00" * 60 + b"word/document.xml",
    "array.json": json.dumps(
        [{"id": 1, "name": "a", "score": 1.5}, {"id": 2, "name": "b", "score": None}]
    ).encode(),
    "lines.ndjson": b'{"id": 1, "tag": "x"}\n{"id": 2, "tag": "y"}\n{"id": 3, "tag": "z"}\n',
    "broken.json": b'[{"id": 1, "name": "a"}, {"id": 2, "name": ',
    "not_parquet.parquet": b"id,name\n1,a\n",
    "title_above_header.csv": (
        "\ufeffJAMES LOGAN,,,\nWins,Name,School,Rounds\n5,Gatlin & Ramarao,Mitty,5\n"
        "4,Arun & Schacter,Gunn,\n0,Cho & Zheng,Leland,\n"
    ).encode(),
    "report_preamble.csv": (
        b"Quarterly sales report\nSource: finance team\n\nregion,units,revenue\n"
        b"North,10,100.5\nSouth,7,70.25\n"
    ),
    "multiline_title.csv": b'"Survey results\n(second title line)",,\nq,answer,score\nq1,yes,3\nq2,no,1\n',
    "sparse_numeric_rows.csv": b"x,,\n1,2,3\n4,5,6\n",
    "one_column.csv": b"city\nParis\nLyon\n",
    "one_cell_header_over_text.csv": b"name,,\nAnna,Smith,London\nBob,Jones,Paris\n",
}


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    for name, data in TEXT_FILES.items():
        (HERE / name).write_bytes(data)

    table = pa.table(
        {
            "id": [1, 2, 3],
            "when": pa.array([0, 86_400_000, None], pa.timestamp("ms")),
            "label": ["a", None, "c"],
        }
    )
    pq.write_table(table, HERE / "typed.parquet")

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Orders"
    ws.append(["Order ID", "Date", "Amount", "Amount"])
    ws.append([1, "2024-01-05", 10.5, 1])
    ws.append([2, "2024-02-07", 20.25, 2])
    wb.create_sheet("Empty")
    summary = wb.create_sheet("Summary 2024")
    summary.append(["region", "total"])
    summary.append(["North", 100])
    summary.append(["South", "n/a"])  # mixed types: kept as text
    wb.save(HERE / "workbook.xlsx")
    wb.save(HERE / "excel_named.csv")

    titled = openpyxl.Workbook()
    report = titled.active
    report.title = "Report"
    report.append(["Sales 2024 (EUR)"])
    report.append([])
    report.append(["region", "total"])
    report.append(["North", 100])
    report.append(["South", 250])
    titled.save(HERE / "titled_workbook.xlsx")


if __name__ == "__main__":
    main()
