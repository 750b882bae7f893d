import pytest

from glueforge.errors import InputError
from transforms.standardize_columns import apply


def test_renames_trims_and_nulls_empty_strings(spark):
    df = spark.createDataFrame(
        [(1, "  Ada ", "", 3.5), (2, None, " x ", None)],
        "`CustomerID` INT, ` Full Name ` STRING, `EmailAddr` STRING, `Amount` DOUBLE",
    )
    out = apply(df)
    assert out.columns == ["customer_id", "full_name", "email_addr", "amount"]
    assert [tuple(r) for r in out.orderBy("customer_id").collect()] == [(1, "Ada", None, 3.5), (2, None, "x", None)]


def test_options_can_keep_names_and_values(spark):
    df = spark.createDataFrame([(" a ", "")], "`Col A` STRING, `ColB` STRING")
    out = apply(df, nameStyle="keep", trimStrings=False, emptyAsNull=False)
    assert out.columns == ["Col A", "ColB"]
    assert tuple(out.first()) == (" a ", "")
    assert apply(df, nameStyle="lower").columns == ["col a", "colb"]


def test_colliding_names_are_a_clear_error(spark):
    df = spark.createDataFrame([(1, 2)], "`orderId` INT, `order_id` INT")
    with pytest.raises(InputError, match=r"duplicate columns.*order_id"):
        apply(df)


def test_unknown_name_style_is_rejected(spark):
    with pytest.raises(InputError, match="nameStyle"):
        apply(spark.createDataFrame([(1,)], "a INT"), nameStyle="kebab")
