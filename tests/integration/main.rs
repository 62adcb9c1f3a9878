#![allow(dead_code)]

mod bulk;
mod faults;
mod fixtures;
mod harness;
mod layers;
mod list;
mod proxy;
mod reliability;
mod selftest;
mod ssh;
mod tls;
mod trust;
mod ux;
mod writes;
