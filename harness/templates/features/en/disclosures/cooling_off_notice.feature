@disclosures @REQ-COOLING-OFF
Feature: Cooling-off notice (犹豫期提示) on the first screen of the application page
  The notice must be seen without scrolling: fully inside the viewport, not covered, not
  transparent, readable (text at least 12 px, contrast at least 4.5:1), and it must state the
  product's cooling-off period in days. Checked at the screens buyers use: {{ viewports | join(", ") }}
  (the sizes: `harness check notice --help`).

  @blocker
  Scenario Outline: The cooling-off notice of <product> is fully visible on the first screen at <viewport>
    Given the buyer completes the <product> purchase journey at the "<viewport>" viewport
    Then the cooling-off notice is fully visible on the first screen with text of at least 12 px and contrast of at least 4.5:1

    Examples:
      | product  | viewport    |
{% for p in products %}{% for v in viewports %}
      | {{ p.code }} | {{ v }} |
{% endfor %}{% endfor %}

  @critical
  Scenario Outline: The cooling-off notice of <product> states at least <days> days
    Given the buyer completes the <product> purchase journey at its main viewport (default "{{ main_viewport }}")
    Then the cooling-off notice states a cooling-off period of at least <days> days

    Examples:
      | product  | days |
{% for p in products %}
      | {{ p.code }} | {{ p.cooling_off_days }} |
{% endfor %}
