#![allow(dead_code)]

mod backup;
mod bulk;
mod faults;
mod fixtures;
mod harness;
mod lifecycle;
mod list;
mod proxy;
mod reliability;
mod selftest;
mod ssh;
mod tls;
mod trust;
mod ux;
mod writes;
