"""Wenyun (文云): the platform a county runs its public cultural service system on."""
