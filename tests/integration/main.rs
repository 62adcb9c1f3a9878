#![allow(dead_code)]

mod access;
mod argon2;
mod backup;
mod bulk;
mod completion;
mod faults;
mod fixtures;
mod harness;
mod layers;
mod libpq;
mod lifecycle;
mod list;
mod operator;
mod pgbouncer;
mod pgbouncer_harness;
mod privileges;
mod proxy;
mod readme;
mod reliability;
mod selftest;
mod ssh;
mod tls;
mod tls_client;
mod trust;
mod ux;
mod writes;
