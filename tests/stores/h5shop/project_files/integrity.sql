-- Paid orders of the 安心保 H5 store: the policy its core system issued (NULL when none was)
-- and the premium the cashier charged, in fen; one row per paid order, paid since :since_ms
-- (epoch milliseconds, the harness binds the run's start; paid_at is in epoch seconds).
-- SQLAlchemy URL: sqlite:////absolute/path/to/h5shop.sqlite3
select o.order_no as order_id, p.policy_no as policy_number, pay.paid_fen as premium_fen
from h5_order o
join h5_payment pay on pay.order_no = o.order_no
left join h5_policy p on p.order_no = o.order_no
where pay.paid_at * 1000 >= :since_ms
