-- FeeDesk shared ledger: the roles and the database of a site. Run ONCE, as a PostgreSQL
-- superuser, on the server (see docs/postgresql.md):
--
--   sudo -u postgres psql -v owner_password='...' -v app_password='...' -f scripts/pg-setup.sql
--
-- feedesk_owner  owns the database and its tables. Used only by the administrator for
--                `feedesk init` (Alembic migrations) and `feedesk db migrate`. Never typed
--                into a window's settings.
-- feedesk_app    what every window connects as. Migration 0005 grants it SELECT and INSERT on
--                every table, UPDATE only on the mutable control tables (shift status, receipt
--                counters, print jobs, audit chain head, settings, users' log-in counters,
--                master data), and no UPDATE, DELETE or TRUNCATE on any ledger row: a stolen
--                window connection string still cannot rewrite history.
-- The tests (tests/postgres/server.py) run this same file on their throwaway server.

CREATE ROLE feedesk_owner LOGIN PASSWORD :'owner_password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE feedesk_app LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
CREATE DATABASE feedesk OWNER feedesk_owner ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE feedesk FROM PUBLIC;
GRANT CONNECT ON DATABASE feedesk TO feedesk_app;
