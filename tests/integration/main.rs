#![allow(dead_code)]

mod bulk;
mod fixtures;
mod harness;
mod list;
mod reliability;
mod selftest;
mod ssh;
mod tls;
mod trust;
mod ux;
mod writes;
