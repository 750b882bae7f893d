import pytest

from transforms.standardize_columns import to_snake_case


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("customerID", "customer_id"),
        ("CustomerId", "customer_id"),
        (" Full Name ", "full_name"),
        ("HTTPCode", "http_code"),
        ("order-date", "order_date"),
        ("already_snake", "already_snake"),
        ("Amount (EUR)", "amount_eur"),
        ("v2Value", "v2_value"),
    ],
)
def test_to_snake_case(name, expected):
    assert to_snake_case(name) == expected
