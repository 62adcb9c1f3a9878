#![allow(dead_code)]

mod fixtures;
mod harness;
mod list;
mod selftest;
mod writes;
