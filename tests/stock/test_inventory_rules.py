"""The pure stock rules of domain.inventory: moves, the invariant and the copies' ordering."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.inventory import (
    OutOfStock,
    StockChange,
    StockLevel,
    StockMove,
    is_newer_version,
    latest_per_product,
    net_moves,
    release,
    reserve,
    restock,
    sell,
    set_available,
)


def test_a_checkout_then_a_payment_sells_what_was_held() -> None:
    level = StockLevel.fresh("p", 5).apply(reserve("p", 2)).apply(sell("p", 2))
    assert (level.available, level.reserved, level.sold, level.stocked) == (3, 0, 2, 5)
    assert level.version == 3 and level.conserved


def test_a_release_gives_the_held_units_back() -> None:
    level = StockLevel.fresh("p", 5).apply(reserve("p", 2)).apply(release("p", 2))
    assert (level.available, level.reserved, level.sold, level.stocked) == (5, 0, 0, 5)


def test_setting_the_level_moves_stocked_and_leaves_reserved_and_sold_alone() -> None:
    level = StockLevel("p", available=7, reserved=2, sold=1, stocked=10)
    lowered = level.apply(set_available(level, 3))
    assert (lowered.available, lowered.reserved, lowered.sold, lowered.stocked) == (3, 2, 1, 6)
    raised = lowered.apply(set_available(lowered, 20))
    assert (raised.available, raised.stocked) == (20, 23) and raised.conserved


@pytest.mark.parametrize(
    "move", [reserve("p", 3), sell("p", 1), release("p", 1), restock("p", -3)], ids=str
)
def test_no_bucket_goes_below_zero(move: StockMove) -> None:
    level = StockLevel.fresh("p", 2)
    assert not level.can_apply(move)
    with pytest.raises(OutOfStock):
        level.apply(move)


def test_a_move_of_another_product_is_a_bug() -> None:
    with pytest.raises(ValueError):
        StockLevel.fresh("p", 2).apply(reserve("q", 1))


def test_net_moves_sum_per_product_in_product_order() -> None:
    moves = [sell("b", 1), reserve("a", 2), restock("b", 4), release("a", 1)]
    assert net_moves(moves) == [StockMove("a", -1, 1, 0), StockMove("b", 4, -1, 1, stocked=4)]


def test_the_newest_version_of_each_product_wins() -> None:
    changes = [StockChange("a", 5, 3), StockChange("b", 1, 1), StockChange("a", 7, 2)]
    assert latest_per_product(changes) == [StockChange("a", 5, 3), StockChange("b", 1, 1)]
    assert is_newer_version(4, None) and is_newer_version(4, 3)
    assert not is_newer_version(3, 3) and not is_newer_version(2, 3)


moves = st.one_of(
    *(
        st.builds(make, st.just("p"), st.integers(0, 6))
        for make in (reserve, release, sell, restock)
    ),
    st.builds(restock, st.just("p"), st.integers(-6, 0)),
)


@given(st.integers(0, 10), st.lists(moves, max_size=30))
def test_every_sequence_of_allowed_moves_conserves_stock(start: int, sequence: list) -> None:
    level = StockLevel.fresh("p", start)
    for move in sequence:
        if level.can_apply(move):
            after = level.apply(move)
            assert after.conserved and after.version == level.version + 1
            assert min(after.available, after.reserved, after.sold) >= 0
            level = after
        else:
            with pytest.raises(OutOfStock):
                level.apply(move)
