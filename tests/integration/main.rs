#![allow(dead_code)]

mod access;
mod argon2;
mod bulk;
mod fixtures;
mod harness;
mod libpq;
mod list;
mod pgbouncer;
mod pgbouncer_harness;
mod privileges;
mod reliability;
mod selftest;
mod ssh;
mod tls;
mod tls_client;
mod ux;
mod writes;
