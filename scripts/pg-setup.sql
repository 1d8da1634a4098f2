-- FeeDesk shared ledger: the roles and the database of a site. Run ONCE, as a PostgreSQL
-- superuser, on the server (see docs/postgresql.md):
--
--   sudo -u postgres psql -v owner_password='...' -v app_password='...' -f scripts/pg-setup.sql
--
-- feedesk_owner  owns the database and its tables. Used only by the administrator: `feedesk
--                init` (Alembic migrations), `feedesk db migrate`, and user administration
--                (add user, unlock), settings and stations, from the administrator's PC.
--                Never typed into a window's settings.
-- feedesk_app    what every window connects as. Migrations 0005/0007 (app/db/migrations/pg_roles.py)
--                grant it SELECT everywhere, INSERT everywhere except users, settings, site and
--                stations, UPDATE only on the columns a window changes (failed log-ins, receipt
--                counters, shift status, print job state, audit chain head: lock a user but
--                never unlock, a chain head only forward), and no UPDATE, DELETE or TRUNCATE
--                on any ledger row: a stolen window connection string cannot make anyone an
--                administrator nor rewrite history (docs/postgresql.md says what it can do).
-- The tests (tests/postgres/server.py) run this same file on their throwaway server.

CREATE ROLE feedesk_owner LOGIN PASSWORD :'owner_password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE feedesk_app LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
CREATE DATABASE feedesk OWNER feedesk_owner ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE feedesk FROM PUBLIC;
GRANT CONNECT ON DATABASE feedesk TO feedesk_app;
