from glueforge.doctor import check_databases, check_iceberg_jar, check_jdbc_drivers, check_python
from glueforge.settings import DatabaseSettings, load_settings


def test_missing_jdbc_drivers_say_which_package_to_install(tmp_path):
    results = check_jdbc_drivers(load_settings(jdbc_driver_dirs=[tmp_path]))
    assert {r.name for r in results} == {"jdbc driver postgresql", "jdbc driver mariadb", "jdbc driver sqlite"}
    assert all(not r.ok for r in results)
    assert "apt-get install libpostgresql-jdbc-java" in {r.fix for r in results}


def test_jdbc_drivers_found_where_they_are(tmp_path):
    (tmp_path / "postgresql.jar").write_bytes(b"")
    by_name = {r.name: r for r in check_jdbc_drivers(load_settings(jdbc_driver_dirs=[tmp_path]))}
    assert by_name["jdbc driver postgresql"].ok
    assert not by_name["jdbc driver sqlite"].ok


def test_bundled_iceberg_jar_has_the_published_checksum():
    (result,) = check_iceberg_jar(load_settings())
    assert result.ok, result.detail
    assert "1.9.2" in result.detail


def test_wrong_iceberg_jar_path_fails(tmp_path):
    (result,) = check_iceberg_jar(load_settings(iceberg_jar=tmp_path / "missing.jar"))
    assert not result.ok


def test_unreachable_database_says_how_to_start_it():
    settings = load_settings(databases={"ghost": DatabaseSettings(url="jdbc:postgresql://127.0.0.1:1/x")})
    (result,) = check_databases(settings)
    assert not result.ok and "make services" in result.fix


def test_python_check_passes_on_311():
    (result,) = check_python(load_settings())
    assert result.ok
