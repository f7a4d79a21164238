"""Generate sample_data/sales.csv: 5,000 orders with a fixed seed, so the file is reproducible.

Run: .venv/bin/python sample_data/make_sales.py
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

SEED = 20241
ROWS = 5000
REGIONS = {"North": 1.0, "South": 0.8, "East": 1.2, "West": 1.1, "Europe": 0.9}
PRODUCTS = {
    # product: (category, base unit price)
    "Laptop": ("Electronics", 950.0),
    "Monitor": ("Electronics", 220.0),
    "Headphones": ("Electronics", 85.0),
    "Desk": ("Furniture", 310.0),
    "Chair": ("Furniture", 140.0),
    "Lamp": ("Furniture", 35.0),
    "Notebook": ("Office", 4.5),
    "Pen": ("Office", 1.2),
    "Stapler": ("Office", 9.9),
}
SEGMENTS = ["Consumer", "Corporate", "Small Business"]


def main() -> None:
    rng = random.Random(SEED)
    start = date(2023, 1, 1)
    out = Path(__file__).with_name("sales.csv")
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(
            [
                "order_id",
                "order_date",
                "region",
                "product",
                "category",
                "segment",
                "unit_price",
                "quantity",
                "discount",
            ]
        )
        for order_id in range(1, ROWS + 1):
            day = start + timedelta(days=rng.randrange(730))
            region = rng.choice(list(REGIONS))
            product = rng.choice(list(PRODUCTS))
            category, base = PRODUCTS[product]
            price = round(base * REGIONS[region] * rng.uniform(0.9, 1.1), 2)
            quantity = rng.choice([1, 1, 1, 2, 2, 3, 4, 5, 10]) * (
                20 if category == "Office" else 1
            )
            discount = rng.choice([0.0, 0.0, 0.0, 0.05, 0.1, 0.2])
            segment = rng.choice(SEGMENTS) if rng.random() > 0.02 else ""  # ~2% missing
            writer.writerow(
                [
                    order_id,
                    day.isoformat(),
                    region,
                    product,
                    category,
                    segment,
                    f"{price:.2f}",
                    quantity,
                    discount,
                ]
            )


if __name__ == "__main__":
    main()
