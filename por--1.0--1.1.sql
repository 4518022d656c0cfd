-- por 1.0 -> 1.1.  Every change of por--1.1.sql relative to por--1.0.sql has
-- its statement here, so ALTER EXTENSION por UPDATE gives the objects of a
-- fresh 1.1 install (sql/ tests compare the two).

\echo Use "ALTER EXTENSION por UPDATE TO '1.1'" to load this file. \quit
