"""The pytest run behind pytest_xunit1.xml and pytest_xunit2.xml, and the integration test's.

One of each outcome pytest writes: pass, failure, error (in a fixture), skip, xfail, a
parametrised failure and an escaped id. Named so that pytest does not collect it by itself.
"""
import pytest


def test_passes():
    assert 1 + 1 == 2


def test_fails():
    assert "a<b" == "a&b", "strings differ"


@pytest.fixture
def broken_fixture():
    raise RuntimeError("fixture exploded")


def test_errors_in_fixture(broken_fixture):
    pass


@pytest.mark.skip(reason="not on this platform")
def test_skipped():
    pass


@pytest.mark.xfail(reason="known bug")
def test_expected_failure():
    assert False


@pytest.mark.parametrize("value", [1, 2, "x<y"])
def test_param(value):
    print("stdout line for", value)
    assert value != 2


class TestGroup:
    def test_method_passes(self):
        assert True
