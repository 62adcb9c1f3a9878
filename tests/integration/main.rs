#![allow(dead_code)]

mod fixtures;
mod harness;
mod selftest;
