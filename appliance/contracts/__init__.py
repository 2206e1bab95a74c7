"""What the admin and the agency (and a PBX unit's uzor-confgen) agree on, in one place.

Ground floor: nothing here imports a component (admin, agency, pbx, configurator); both sides
of each agreement import it from here. ``bundle`` uses the standard library only, because
uzor-confgen is built from it (appliance/pbx/build.py).
"""
