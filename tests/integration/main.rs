#![allow(dead_code)]

mod bulk;
mod fixtures;
mod harness;
mod list;
mod selftest;
mod ux;
mod writes;
