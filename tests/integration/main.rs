#![allow(dead_code)]

mod bulk;
mod faults;
mod fixtures;
mod harness;
mod list;
mod operator;
mod proxy;
mod reliability;
mod selftest;
mod ssh;
mod tls;
mod trust;
mod ux;
mod writes;
