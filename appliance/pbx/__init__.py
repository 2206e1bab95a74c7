"""What runs on a PBX unit: ``uzor-confgen`` (confgen.py), standard library only, installed as
one file built by build.py."""
