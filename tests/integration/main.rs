#![allow(dead_code)]

mod access;
mod bulk;
mod fixtures;
mod harness;
mod libpq;
mod list;
mod reliability;
mod selftest;
mod ssh;
mod tls;
mod ux;
mod writes;
