"""The pulumi-aiops platform program: everything comes from the stack's ``aiops:platform`` config."""

from pulumi_aiops.builder import main

main()
